// The anchor of the emulator bench: a bare `node:http` server in a process of its own that answers
// every request with the same JSON text (given as the first argument), as the emulator would.
// Prints its port on stdout.
import { createServer } from 'node:http';

const body = Buffer.from(process.argv[2]);
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  response.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('disconnect', () => process.exit(0));
