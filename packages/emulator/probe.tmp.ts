import { startEmulator } from './src/index.ts';
import { rawExchange } from './test/helpers.ts';
const emu = await startEmulator();
console.log(await (await fetch(`${emu.api}/diff?auth=${emu.auth}&last=0`)).text());
const host = emu.apiHost;
const req = (path: string) => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`;
const { data, closed } = await rawExchange(host, req(`/diff?auth=${emu.auth}&diffid=3&block=1`) + req('/getapiserver'), 800);
console.log(closed, JSON.stringify(data.toString()));
await emu.stop();
