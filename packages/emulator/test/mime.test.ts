import { describe, expect, it } from 'vitest';
import { isValidContentType, typeInfoFor, typeOf } from '../src/mime.js';

describe('typeOf', () => {
  it('takes the content type from the extension and adds pCloud icon and category', () => {
    expect(typeOf('photo.JPG')).toEqual({ contenttype: 'image/jpeg', icon: 'image', category: 1 });
    expect(typeOf('clip.mp4')).toEqual({ contenttype: 'video/mp4', icon: 'video', category: 2 });
    expect(typeOf('tone.wav')).toMatchObject({ icon: 'audio', category: 3 });
    expect(typeOf('tone.wav').contenttype).toMatch(/^audio\//);
    expect(typeOf('notes.txt')).toEqual({ contenttype: 'text/plain', icon: 'document', category: 4 });
    expect(typeOf('table.csv')).toEqual({ contenttype: 'text/csv', icon: 'spreadsheet', category: 4 });
    expect(typeOf('slides.pptx')).toMatchObject({ icon: 'presentation', category: 4 });
    expect(typeOf('report.pdf')).toEqual({ contenttype: 'application/pdf', icon: 'document', category: 4 });
    expect(typeOf('page.html')).toMatchObject({ contenttype: 'text/html', icon: 'web', category: 4 });
    expect(typeOf('bundle.zip')).toEqual({ contenttype: 'application/zip', icon: 'archive', category: 5 });
    expect(typeOf('disk.iso')).toMatchObject({ icon: 'diskimage', category: 0 });
    expect(typeOf('font.woff2')).toEqual({ contenttype: 'font/woff2', icon: 'font', category: 0 });
  });

  it('answers octet-stream for unknown or missing extensions', () => {
    const plain = { contenttype: 'application/octet-stream', icon: 'file', category: 0 };
    expect(typeOf('blob.unknownext')).toEqual(plain);
    expect(typeOf('README')).toEqual(plain);
    expect(typeOf('txt')).toEqual(plain);
    expect(typeOf('.txt')).toEqual(plain);
    expect(typeOf('trailing.')).toEqual(plain);
  });
});

describe('typeInfoFor', () => {
  it('classifies the stored content type, borrowing from the name when pCloud has no class for it', () => {
    expect(typeInfoFor('image/x-test', 'a.bin')).toEqual({ contenttype: 'image/x-test', icon: 'image', category: 1 });
    expect(typeInfoFor('text/plain; charset=utf-8', 'a.bin')).toMatchObject({ icon: 'document', category: 4 });
    expect(typeInfoFor('application/x-made-up', 'a.zip')).toEqual({ contenttype: 'application/x-made-up', icon: 'archive', category: 5 });
    expect(typeInfoFor('application/x-made-up', 'a')).toEqual({ contenttype: 'application/x-made-up', icon: 'file', category: 0 });
  });
});

describe('isValidContentType', () => {
  it('accepts type/subtype with parameters and refuses the rest', () => {
    expect(isValidContentType('text/plain')).toBe(true);
    expect(isValidContentType('text/plain; charset="utf-8"')).toBe(true);
    expect(isValidContentType('text')).toBe(false);
    expect(isValidContentType('text/plain\r\nX: y')).toBe(false);
  });
});
