// Child process for test/integration/embedded-postgres.test.ts: starts the embedded server in the folder
// given as argv[2], prints {"url": …} on one line, then waits to be killed (the test sends SIGKILL).
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: embedded-child.ts <dataDir>');
const db = await startEmbeddedPostgres({ dataDir });
process.stdout.write(`${JSON.stringify({ url: db.url })}\n`);
setInterval(() => {}, 60_000);
