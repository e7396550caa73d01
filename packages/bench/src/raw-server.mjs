// The anchor of the transfer bench: a bare TCP server in a process of its own. A connection starts
// with one command byte: `U` stores the rest of the stream in a file of `dir` and answers one byte
// once it is written; `H` does the same and also computes the SHA-1 and MD5 of the bytes, the
// digests a US `uploadfile` answer carries; `D` sends the source file and ends. Arguments: source
// path, directory. Prints its port on stdout.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const [source, dir] = process.argv.slice(2);
let uploads = 0;

const server = createServer({ allowHalfOpen: true }, (socket) => {
  socket.once('readable', async () => {
    const command = socket.read(1);
    if (command?.[0] === 0x55 || command?.[0] === 0x48) {
      const target = join(dir, `raw-upload-${uploads++}.bin`);
      if (command[0] === 0x48) {
        const sha1 = createHash('sha1');
        const md5 = createHash('md5');
        // a second reader of the same chunks; the pipe below still sets the pace
        socket.on('data', (chunk) => {
          sha1.update(chunk);
          md5.update(chunk);
        });
        socket.once('end', () => {
          sha1.digest();
          md5.digest();
        });
      }
      await pipeline(socket, createWriteStream(target), { end: true });
      socket.end('k');
      await rm(target, { force: true });
    } else {
      await pipeline(createReadStream(source), socket);
    }
  });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('disconnect', () => process.exit(0));
