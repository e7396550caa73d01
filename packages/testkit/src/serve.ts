import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A test server listening on 127.0.0.1, and how to stop it. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Closes the server, cutting keep-alive connections a browser still holds. */
  close(): Promise<void>;
}

/** Starts `server` on 127.0.0.1 at a port the OS picks. */
export async function listenLocal(server: Server): Promise<LocalServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
