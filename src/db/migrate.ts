// Contract (implemented by the Prisma-offline work): apply every pending migration in prisma/migrations
// to the database at `databaseUrl`, through `prisma migrate deploy` (offline stand-in where needed).
export async function migrateDatabase(_databaseUrl: string): Promise<void> {
  throw new Error('migrateDatabase: not implemented yet');
}
