// Bulk data for the queue benchmarks, written with generate_series in a few SQL statements (a million cases
// in well under a minute), never row by row. Ids are derived from the row number (md5 → uuid), so the
// statements can refer to each other's rows without reading them back. Personal fields are placeholder
// bytes: nothing here is ever decrypted. Needs the reference data loaded (departments, buildings).
import pg from 'pg';

export const FIRST_RESIDENT_TELEGRAM_ID = 3_000_000_000;
export const FIRST_STAFF_TELEGRAM_ID = 2_000_000_000;

export const residentTelegramId = (n: number) => FIRST_RESIDENT_TELEGRAM_ID + n;

/** Telegram id of staff member `k` (0-based) of the department at `index` in departments(). */
export const staffTelegramId = (departmentIndex: number, k: number) =>
  FIRST_STAFF_TELEGRAM_ID + departmentIndex * 100 + k;

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Active department codes, in a fixed order (the index used by staffTelegramId). */
export async function departments(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ code: string }>(
    'select code from department where active order by code',
  );
  return rows.map((r) => r.code);
}

/** `perDepartment` staff members in every department (role staff, on duty). */
export async function loadStaff(client: pg.Client, perDepartment: number): Promise<void> {
  await client.query(
    `insert into staff_member (id, telegram_id, role, department_code, display_name, on_duty, active, created_at)
     select md5('staff' || d.code || k)::uuid, $1::bigint + (d.i - 1) * 100 + k, 'staff', d.code,
            '工作人员' || k, true, true, now()
       from (select code, row_number() over (order by code) as i from department where active) d,
            generate_series(0, $2 - 1) k`,
    [FIRST_STAFF_TELEGRAM_ID, perDepartment],
  );
}

/** `count` registered residents (telegram_user, household, resident), numbered from 0. */
export async function loadResidents(client: pg.Client, count: number): Promise<void> {
  await client.query(
    `insert into telegram_user (telegram_id, chat_id, language_code, unreachable, first_seen_at, updated_at)
     select $1::bigint + g, $1::bigint + g, 'zh-hans', false, now(), now() from generate_series(0, $2 - 1) g`,
    [FIRST_RESIDENT_TELEGRAM_ID, count],
  );
  await client.query(
    `insert into household (id, community_code, building_id, unit, room, created_at, updated_at)
     select md5('household' || g)::uuid, b.community_code, b.id, '1', (100 + g % 900)::text, now(), now()
       from generate_series(0, $1 - 1) g
       join (select id, community_code, row_number() over (order by id) - 1 as i from building) b
         on b.i = g % (select count(*) from building)`,
    [count],
  );
  await client.query(
    `insert into resident (id, telegram_id, household_id, name, phone_cipher, id_number_cipher, id_number_hash,
                           birth_date, sex, consent_version, consent_at, created_at, updated_at)
     select md5('resident' || g)::uuid, $1::bigint + g, md5('household' || g)::uuid, '测试',
            '\\x00'::bytea, '\\x00'::bytea, decode(md5('id' || g), 'hex'), date '1960-01-01' + g % 15000,
            (case when g % 2 = 0 then 'male' else 'female' end)::sex, 'bench', now(), now(), now()
       from generate_series(0, $2 - 1) g`,
    [FIRST_RESIDENT_TELEGRAM_ID, count],
  );
}

export interface CaseLoad {
  /** Cases to write, numbered from `first` (default 0). */
  count: number;
  first?: number;
  /** Registered residents to spread them over (loadResidents); resident g % residents files case g. */
  residents: number;
  /** Departments to spread them over (all active ones when absent). */
  departments?: string[];
  /** Every case submitted and unassigned (a queue to take from); otherwise a realistic mix, mostly closed. */
  allQueued?: boolean;
  /** Staff members per department made by loadStaff (assignees of the cases in hand). */
  staffPerDepartment: number;
}

/**
 * Writes cases. The mix (allQueued false), from a hash of the row number: 1 % submitted and unassigned,
 * 1 % accepted, 1 % in progress, 0.5 % waiting for the resident, 5 % resolved, 4 % rejected, 6.5 %
 * withdrawn, the rest closed; 2 % urgent; 1 % anonymous suggestions (no resident); submitted over the
 * last three years.
 */
export async function loadCases(client: pg.Client, load: CaseLoad): Promise<void> {
  const depts = load.departments ?? (await departments(client));
  await client.query(
    `insert into "case" (id, number, service_code, department_code, resident_id, telegram_id, status, priority,
                         anonymous, answers_cipher, assignee_id, due_at, submitted_at, first_response_at,
                         resolved_at, closed_at, submission_key, updated_at)
     select gen_random_uuid(), 'BEN-' || lpad(g::text, 9, '0'), c.service, c.dept,
            case when c.anon then null else md5('resident' || (g % $3))::uuid end,
            case when c.anon then null else $4::bigint + g % $3 end,
            c.status::case_status, case when c.h % 50 = 7 then 'urgent' else 'normal' end::case_priority,
            c.anon, decode(repeat(md5(g::text), 8), 'hex'),
            case when c.status = 'submitted' or c.status = 'withdrawn' then null
                 else md5('staff' || c.dept || (g / 7) % $5)::uuid end,
            c.submitted + interval '5 days', c.submitted,
            case when c.status in ('submitted', 'withdrawn') then null else c.submitted + interval '2 hours' end,
            case when c.status in ('resolved', 'closed') then c.submitted + interval '3 days' end,
            case when c.status = 'closed' then c.submitted + interval '10 days' end,
            'bench:' || g, now()
       from generate_series($1::bigint, $1::bigint + $2 - 1) g,
            lateral (
              select d.dept,
                     case split_part(dep.kind::text, '_', 1)
                       when 'education' then 'school_enrolment' when 'health' then 'medical_green_channel'
                       when 'civil' then 'dibao' else 'suggestion' end as service,
                     case when $6 then 'submitted'
                          when h.h % 200 < 2 then 'submitted' when h.h % 200 < 4 then 'accepted'
                          when h.h % 200 < 6 then 'in_progress' when h.h % 200 < 7 then 'waiting_resident'
                          when h.h % 200 < 17 then 'resolved' when h.h % 200 < 25 then 'rejected'
                          when h.h % 200 < 38 then 'withdrawn' else 'closed' end as status,
                     h.h / 200 % 100 = 99 as anon, h.h / 20000 as h,
                     (now() at time zone 'utc') - (case when $6 then (g % 10000) * interval '1 minute'
                       else ((g * 7919) % (3 * 365 * 24 * 60)) * interval '1 minute' end) as submitted
                from (select ($7::text[])[1 + g % cardinality($7::text[])] as dept) d
                join department dep on dep.code = d.dept
                -- Status, urgency and anonymity from a hash of the row number, so that they do not follow
                -- the department (which is g modulo the number of departments).
                cross join (select abs(hashtext('case' || g))::bigint as h) h
            ) c`,
    [
      load.first ?? 0,
      load.count,
      load.residents,
      FIRST_RESIDENT_TELEGRAM_ID,
      load.staffPerDepartment,
      load.allQueued ?? false,
      depts,
    ],
  );
  await client.query('analyze "case"');
}
