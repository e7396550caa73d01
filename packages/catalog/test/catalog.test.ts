import { describe, expect, test } from 'vitest';
import { errorMessages, findMethod, groups, methods } from '../src/index.js';

describe('catalogue data', () => {
  test('129 methods with unique names, grouped in catalogue order', () => {
    expect(methods).toHaveLength(129);
    expect(new Set(methods.map((m) => m.name)).size).toBe(129);
    expect(groups.slice(0, 3)).toEqual(['general', 'folder', 'file']);
    // each group's methods sit together
    const order = methods.map((m) => groups.indexOf(m.group));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('findMethod finds by wire name and knows nothing else', () => {
    expect(findMethod('getaudiolink')).toMatchObject({ group: 'streaming', auth: true, oneOf: { target: ['fileid', 'path'] } });
    expect(findMethod('getapiserver')?.auth).toBe(false);
    expect(findMethod('nosuchmethod')).toBeUndefined();
    expect(findMethod('toString')).toBeUndefined();
  });

  test('sets, requires and long-poll params name real params; one-of members say so', () => {
    for (const m of methods) {
      const names = new Set(m.params.map((p) => p.name));
      for (const [set, members] of [...Object.entries(m.oneOf), ...Object.entries(m.atMostOne)]) {
        for (const n of members) expect(names.has(n), `${m.name}: set ${set} names ${n}`).toBe(true);
      }
      for (const [set, members] of Object.entries(m.oneOf)) {
        for (const n of members) expect(m.params.find((p) => p.name === n)?.required, `${m.name}.${n}`).toBe(`one-of:${set}`);
      }
      for (const p of m.params) if (p.requires) expect(names.has(p.requires), `${m.name}.${p.name}.requires`).toBe(true);
      if (m.longPoll) expect(names.has(m.longPoll), `${m.name}.longPoll`).toBe(true);
      if (m.payloadUpload) expect(m.data, `${m.name}: payloadUpload without data upload`).toBe('upload');
    }
  });

  test('the traits the SDK relies on', () => {
    const diff = findMethod('diff')!;
    expect(diff.longPoll).toBe('block');
    expect(diff.params.find((p) => p.name === 'block')?.requires).toBe('diffid');
    expect(diff.atMostOne).toEqual({ since: ['diffid', 'after', 'last'] });
    expect(methods.filter((m) => m.payloadUpload).map((m) => m.name)).toEqual(['file_write', 'file_pwrite']);
    expect(methods.filter((m) => m.connectionBound).every((m) => m.group === 'fileops')).toBe(true);
    expect(findMethod('uploadfile')?.data).toBe('upload');
    expect(findMethod('gettextfile')?.data).toBe('download');
    const media = (kind: string) => methods.filter((m) => m.media === kind).map((m) => m.name);
    expect(media('audio')).toEqual(['getaudiolink', 'getpubaudiolink']);
    expect(media('hls')).toEqual(['gethlslink']);
    expect(media('video')).toEqual(['getvideolink', 'getvideolinks', 'getpubvideolinks']);
    expect(media('image')).toEqual(['getpubthumblink', 'getpubthumbslinks', 'getthumblink', 'getthumbslinks']);
  });

  test('error messages by numeric code, as the server sends them', () => {
    expect(errorMessages[1000]).toBe('Log in required.');
    expect(errorMessages[2094]).toBe("Invalid 'access_token' provided.");
    expect(errorMessages[2095]).toMatch(/^Revoked 'access_token'/);
    expect(Object.keys(errorMessages).every((k) => /^\d+$/.test(k))).toBe(true);
  });

  test('the data cannot be changed by a consumer', () => {
    expect(Object.isFrozen(methods)).toBe(true);
    expect(Object.isFrozen(findMethod('diff')!.params[0])).toBe(true);
    expect(Object.isFrozen(errorMessages)).toBe(true);
  });
});
