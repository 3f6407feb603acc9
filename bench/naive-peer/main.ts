// The naive peer (bot.ts) as a process of its own, for the black-box benchmark: what a grammY developer
// writes from the docs — long polling through @grammyjs/runner (`run(bot)`: updates handled concurrently,
// `sequentialize` by chat so that a chat's updates do not race on its conversation state), the
// conversations plugin's state in PostgreSQL through @grammyjs/storage-prisma. Bundled by scripts/build.mjs and
// run with `npm start`'s node flags, like the bot it is compared with.
//   DATABASE_URL       its tables made beforehand (client.ts: NAIVE_TABLES)
//   BOT_TOKEN, TELEGRAM_API_ROOT
//   NAIVE_CLIENT_MODULE  the generated Prisma client, bundled to JavaScript
import { run } from '@grammyjs/runner';
import { createNaiveBot } from './bot.ts';
import { naiveClient } from './client.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const prisma = await naiveClient(env('DATABASE_URL'), 10, env('NAIVE_CLIENT_MODULE'));
const bot = createNaiveBot({
  token: env('BOT_TOKEN'),
  client: { apiRoot: env('TELEGRAM_API_ROOT') },
  prisma,
  sequential: true,
});
bot.catch((err) => console.error('naive peer: update failed', err.error));
const runner = run(bot);
// A pino-like line, as BotProcess (test/e2e/support.ts) reads the bot's.
process.stdout.write(`${JSON.stringify({ level: 30, msg: 'naive peer: polling' })}\n`);

const stop = async () => {
  if (runner.isRunning()) await runner.stop();
  await prisma.$disconnect();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
