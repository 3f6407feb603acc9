// The console's own listener (CONSOLE_PORT on CONSOLE_HOST): never the webhook's port, so the office's
// console can stay on the office's network while Telegram reaches the webhook.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from '../../logger.ts';
import type { ConsoleApp } from './app.tsx';

export interface ConsoleServer {
  port: number;
  close(): Promise<void>;
}

export async function startConsoleServer(opts: {
  app: ConsoleApp;
  port: number;
  host: string;
  logger: Logger;
}): Promise<ConsoleServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: opts.app.fetch, port: opts.port, hostname: opts.host },
      (info: AddressInfo) => {
        server.off('error', reject);
        resolve({
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              // Idle keep-alive connections would hold close() open until they time out.
              if ('closeIdleConnections' in server) server.closeIdleConnections();
              server.close(() => done());
            }),
        });
      },
    );
    server.once('error', reject);
  });
}
