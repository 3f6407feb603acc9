// One bot instance's notice sender, as main.ts runs it (production leases, batch size and timeouts), in
// a process of its own so that the notice benchmark can SIGKILL it half-way. It exits when the notice is
// done and its report sent.
//   DATABASE_URL=… API_ROOT=http://127.0.0.1:… NOTICE_ID=… RATE=25 tsx bench/notice-child.ts
// (CLAIM_LEASE_MS / SEND_LEASE_MS shorten the leases for the SIGKILL test; ADMIN_TELEGRAM_IDS names the
// notice's author when it is an administrator, as main.ts's configuration does.)
import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from 'grammy';
import { composeNoticeSender } from '../src/compose.ts';
import { createDb } from '../src/db/client.ts';
import { createLogger } from '../src/logger.ts';

const BENCH_TOKEN = '123456789:AAnotice-benchmark-token-for-the-fake-api';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const db = createDb(env('DATABASE_URL'), { poolSize: 6 });
const sender = composeNoticeSender({
  db,
  api: new Api(BENCH_TOKEN, { apiRoot: env('API_ROOT'), timeoutSeconds: 30 }),
  logger: createLogger(process.env.LOG_LEVEL ?? 'warn'),
  defaultLocale: 'zh-CN',
  adminTelegramIds: (process.env.ADMIN_TELEGRAM_IDS ?? '').split(',').filter(Boolean).map(Number),
  rate: Number(env('RATE')),
  // Production leases unless a test shortens them (a dead process's claims return after the claim lease).
  tuning: {
    ...(process.env.CLAIM_LEASE_MS ? { claimLeaseMs: Number(process.env.CLAIM_LEASE_MS) } : {}),
    ...(process.env.SEND_LEASE_MS ? { sendLeaseMs: Number(process.env.SEND_LEASE_MS) } : {}),
  },
});
const noticeId = env('NOTICE_ID');
sender.start();
for (;;) {
  const done = await db.notice.findFirst({
    where: { id: noticeId, status: 'done', reportMessageId: { not: null } },
    select: { id: true },
  });
  if (done) break;
  await sleep(200);
}
await sender.stop();
await db.$disconnect();
