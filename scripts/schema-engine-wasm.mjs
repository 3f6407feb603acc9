#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, for machines that cannot download it (Prisma's binary
// host is unreachable here and on many intranet servers). scripts/prisma.mjs points the CLI at this file through
// PRISMA_SCHEMA_ENGINE_BINARY only when the native binary is missing.
//
// How the CLI (prisma/build/cli.js, class SchemaEngineCLI) uses the binary:
//   schema-engine [--datamodels <file>]... [--datasource '{"url":…,"shadowDatabaseUrl":…}'] [--enabled-preview-features …]
//     then JSON-RPC 2.0 on stdin/stdout, one message per line; log lines (JSON) on stderr;
//   schema-engine --datasource '{"url":…}' cli can-connect-to-database | create-database   (migrate dev/deploy)
//   schema-engine --version
// Each RPC call is forwarded to @prisma/schema-engine-wasm, which reaches PostgreSQL through @prisma/adapter-pg.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as wasmBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';

const { values: args, positionals } = parseArgs({
  options: {
    datamodels: { type: 'string', multiple: true },
    datasource: { type: 'string' },
    'enabled-preview-features': { type: 'string' },
    'extension-types': { type: 'string' },
    version: { type: 'boolean' },
  },
  allowPositionals: true,
});

/** @type {{ url?: string; shadowDatabaseUrl?: string }} */
const datasource = args.datasource ? JSON.parse(args.datasource) : {};

// ---------- adapter-pg 7.10.1 work-arounds ----------

// 1. adapter-pg throws "Unsupported column type char" on PostgreSQL's one-byte `"char"` type (oid 18), which
//    pg_catalog uses for relkind, contype, typtype… — exactly what the engine reads when it describes a
//    database. Its value arrives as an ordinary string: describe the column as text (oid 25) before the
//    adapter maps the column types.
const CHAR_OID = 18;
const TEXT_OID = 25;
const addFields = pg.Result.prototype.addFields;
pg.Result.prototype.addFields = function addFieldsReadingCharAsText(fields) {
  for (const field of fields) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
  return addFields.call(this, fields);
};

// 2. adapter-pg's executeScript splits the script on every ";", breaking `$$ … $$` function bodies and string
//    literals. PostgreSQL's simple-query protocol takes a multi-statement script whole (as one implicit
//    transaction, as the native engine sends it), so send it unsplit; onError maps the error as the adapter does.
function runScriptsWhole(adapter) {
  adapter.executeScript = async (script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      adapter.onError(error);
    }
  };
  return adapter;
}

// 3. (Not adapter-pg's: the engine's.) PostgreSQL 18 lists NOT NULL constraints in pg_constraint (contype
//    'n'); this engine build's describer does not know that type and panics on it. It reads nullability from
//    pg_attribute anyway, so leave those rows out of its constraint query.
function skipNotNullConstraints(adapter) {
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (query) => {
    const result = await queryRaw(query);
    const type = result.columnNames.indexOf('constraint_type');
    if (type >= 0) result.rows = result.rows.filter((row) => row[type] !== 'n');
    return result;
  };
  return adapter;
}

/** The adapter as the engine needs it. */
const fixed = (adapter) => skipNotNullConstraints(runScriptsWhole(adapter));

/** Shadow databases in use, with a forced drop, so that an engine panic does not leave them behind. */
const openShadowDatabases = new Map();

class MigrationPg extends PrismaPg {
  constructor(url) {
    // The native engine takes the schema from the URL's `?schema=`; the adapter takes it as an option.
    super({ connectionString: url }, { schema: new URL(url).searchParams.get('schema') ?? undefined });
    this.url = url;
  }

  async connect() {
    return fixed(await super.connect());
  }

  // 4. adapter-pg drops its temporary shadow database before closing the pool connected to it, so the DROP
  //    fails and the database is left behind. (It also spreads `database` next to a `connectionString`, which
  //    pg lets the connection string override.) Create it, connect by URL, and on dispose close the shadow
  //    pool first, then drop the database.
  async connectToShadowDb() {
    if (datasource.shadowDatabaseUrl) {
      // A configured shadow database: the wasm engine builds on whatever it holds; the native one empties it.
      const shadow = fixed(await new PrismaPg(datasource.shadowDatabaseUrl).connect());
      const schema = new URL(datasource.shadowDatabaseUrl).searchParams.get('schema') ?? 'public';
      const quoted = `"${schema.replaceAll('"', '""')}"`;
      await shadow.executeScript(`DROP SCHEMA IF EXISTS ${quoted} CASCADE; CREATE SCHEMA ${quoted};`);
      return shadow;
    }
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    const main = await this.connect();
    await main.executeScript(`CREATE DATABASE "${name}"`);
    const shadowUrl = new URL(this.url);
    shadowUrl.pathname = `/${name}`;
    const shadow = fixed(await new PrismaPg({ connectionString: shadowUrl.href }).connect());
    const closeShadowPool = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      openShadowDatabases.delete(name);
      await closeShadowPool();
      try {
        await main.executeScript(`DROP DATABASE IF EXISTS "${name}"`);
      } finally {
        await main.dispose();
      }
    };
    openShadowDatabases.set(name, () => main.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    return shadow;
  }
}

// ---------- the WebAssembly engine ----------

// The package's own entry imports the .wasm file as an ES module, which Node 20 only allows behind
// --experimental-wasm-modules; instantiate it by hand instead, as wasm-bindgen's generated glue expects.
function loadWasmEngine() {
  const wasmUrl = new URL(
    'schema_engine_bg.wasm',
    import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'),
  );
  const module = new WebAssembly.Module(readFileSync(wasmUrl));
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': wasmBindings });
  wasmBindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return wasmBindings.SchemaEngine;
}

// The engine's panic hook hands the panic message to this global before the wasm traps ("unreachable");
// without it the hook itself throws and the process dies with a TypeError instead of the real message.
const panic = { message: '' };
globalThis.PRISMA_WASM_PANIC_REGISTRY = {
  set_message(message) {
    panic.message = message;
  },
};

function log(level, message, extra = {}) {
  process.stderr.write(
    `${JSON.stringify({ timestamp: new Date().toISOString(), level, fields: { message, ...extra }, target: 'schema_engine::logger' })}\n`,
  );
}

// ---------- entry points ----------

if (args.version) {
  loadWasmEngine();
  process.stdout.write(`schema-engine-cli ${wasmBindings.version()} (@prisma/schema-engine-wasm stand-in)\n`);
} else if (positionals[0] === 'cli') {
  process.exitCode = await runCliCommand(positionals[1]);
} else {
  await serveJsonRpc();
}

async function serveJsonRpc() {
  const SchemaEngine = loadWasmEngine();
  let enginePromise;
  const engine = () => {
    enginePromise ??= (async () => {
      if (!datasource.url)
        throw new Error('The schema engine stand-in needs a datasource URL (--datasource).');
      const datamodels = args.datamodels?.map((path) => [path, readFileSync(path, 'utf8')]);
      return SchemaEngine.new(
        { datamodels },
        // The engine's log lines are already the JSON the CLI reads from a native engine's stderr.
        (line) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
        bindMigrationAwareSqlAdapterFactory(new MigrationPg(datasource.url)),
      );
    })();
    return enginePromise;
  };

  const send = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  let printId = 0;
  // One call at a time: the engine's methods borrow it mutably, and a second call while one is awaiting the
  // database aborts with "recursive use of an object detected".
  let queue = Promise.resolve();

  // A panic inside the engine's async code surfaces as an uncaught RuntimeError, outside the call's promise:
  // drop the shadow databases first (the CLI kills the engine as soon as it has the answer), answer the call
  // in progress with the panic (the engine is unusable afterwards) and stop.
  let current;
  process.on('uncaughtException', async (error) => {
    await Promise.allSettled([...openShadowDatabases.values()].map((drop) => drop()));
    if (current === undefined) log('ERROR', String(error?.stack ?? error));
    else send({ id: current, error: toRpcError(error) });
    process.exit(1);
  });

  const handle = async ({ id, method, params }) => {
    current = id;
    try {
      const target = await engine();
      const name = method === 'getDatabaseVersion' ? 'version' : method;
      if (typeof target[name] !== 'function') {
        send({
          id,
          error: { code: -32601, message: `Method not found: ${method} (not in the wasm engine)` },
        });
        return;
      }
      // Call it on the object: a detached wasm-bindgen method loses its `this`.
      const result = await target[name](params);
      if (method === 'diff') {
        // The native engine prints the diff through a `print` request to the CLI (which also honours --output).
        if (result.stdout) {
          send({
            id: `print-${++printId}`,
            method: 'print',
            params: { content: result.stdout.replace(/\n$/, '') },
          });
        }
        send({ id, result: { exitCode: result.exitCode } });
        return;
      }
      send({ id, result: result ?? {} });
    } catch (error) {
      send({ id, error: toRpcError(error) });
    }
  };

  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (!line.trim()) continue;
    const message = JSON.parse(line);
    if (!message.method) continue; // the CLI's answer to a `print` request
    queue = queue.then(() => handle(message));
  }
  await queue;
  process.exit(0);
}

function toRpcError(error) {
  // A panic leaves the engine unusable, but the CLI sends nothing more after an error. is_panic stays false:
  // the CLI would offer to upload a report to Prisma's servers, which are unreachable here.
  const message = panic.message
    ? `The schema engine (wasm) panicked: ${panic.message}`
    : String(error?.message ?? error);
  log('ERROR', message);
  return {
    code: 4466,
    message: 'An error happened. Check the data field for details.',
    data: {
      is_panic: false,
      message,
      error_code: typeof error?.code === 'string' ? error.code : undefined,
      meta: error?.meta,
    },
  };
}

// `cli …` subcommands, which the wasm engine does not have: the CLI runs them before migrate dev/deploy/status
// to create a missing database. On failure it reads the stderr lines after the first as JSON logs and takes
// `error_code` (P1003 = database does not exist) and `message` from the ERROR one.
async function runCliCommand(command) {
  log('INFO', `cli ${command}`);
  const url = new URL(datasource.url ?? '');
  const database = decodeURIComponent(url.pathname.slice(1));
  const at = `${url.hostname}:${url.port || 5432}`;
  try {
    if (command === 'can-connect-to-database') {
      await withClient(url.href, () => {});
    } else if (command === 'create-database') {
      const maintenance = new URL(url);
      maintenance.pathname = '/postgres';
      await withClient(maintenance.href, (client) =>
        client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`),
      );
    } else {
      throw new Error(`The schema engine stand-in does not implement \`cli ${command}\`.`);
    }
    return 0;
  } catch (error) {
    const known = {
      '3D000': ['P1003', `Database \`${database}\` does not exist on the database server at \`${at}\`.`],
      ECONNREFUSED: ['P1001', `Can't reach database server at \`${at}\``],
      ENOTFOUND: ['P1001', `Can't reach database server at \`${at}\``],
      '28P01': ['P1000', `Authentication failed against database server at \`${at}\`.`],
    }[error.code];
    log('ERROR', known?.[1] ?? String(error.message), known ? { error_code: known[0] } : {});
    return 1;
  }
}

async function withClient(connectionString, use) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await use(client);
  } finally {
    await client.end();
  }
}
