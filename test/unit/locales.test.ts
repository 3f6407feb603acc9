// zh-CN and en must have the same keys, and every key the code asks for must exist. Keys built at run
// time (`registration:errors.${step}.${code}`) are checked through the families they come from.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABOUR_COMMANDS, MANAGE_COMMANDS, NOTICE_COMMANDS, STAFF_COMMANDS } from '../../src/bot/commands.ts';
import { readLocaleResources } from '../../src/bot/i18n.ts';
import { CASE_STATUSES } from '../../src/domain/case-status.ts';
import { RELATIONS, SEXES } from '../../src/domain/household.ts';
import { AUDIENCE_KINDS, NOTICE_PROBLEMS, SCHEDULE_ERRORS } from '../../src/domain/notice.ts';
import { QUEUE_FILTERS } from '../../src/domain/staff-work.ts';

const resources = readLocaleResources();
const SRC = path.resolve(import.meta.dirname, '../../src');

function flatten(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}

function keysOf(lang: 'zh-CN' | 'en'): Set<string> {
  return new Set(
    Object.entries(resources[lang]).flatMap(([ns, tree]) => flatten(tree).map((k) => `${ns}:${k}`)),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return f === 'generated' ? [] : sourceFiles(p);
    return p.endsWith('.ts') || p.endsWith('.tsx') ? [p] : [];
  });
}

const zh = keysOf('zh-CN');
const en = keysOf('en');
const has = (key: string) => zh.has(key.includes(':') ? key : `common:${key}`);

describe('locales', () => {
  it('zh-CN and en have exactly the same keys', () => {
    expect([...zh].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !zh.has(k))).toEqual([]);
  });

  it('no string is empty, and interpolation names match between languages', () => {
    const flat = (lang: 'zh-CN' | 'en') =>
      Object.fromEntries(
        Object.entries(resources[lang]).flatMap(([ns, tree]) =>
          flatten(tree).map((k) => [
            `${ns}:${k}`,
            k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], tree),
          ]),
        ),
      ) as Record<string, string>;
    const z = flat('zh-CN');
    const e = flat('en');
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(z)) {
      expect(z[key]?.trim(), key).not.toBe('');
      expect(e[key]?.trim(), key).not.toBe('');
      expect(vars(e[key] ?? ''), key).toEqual(vars(z[key] ?? ''));
    }
  });

  it('every literal key used in the code exists', () => {
    const missing: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/\bt\(\s*'([^']+)'/g)) {
        if (!has(m[1] as string)) missing.push(`${path.relative(SRC, file)}: ${m[1]}`);
      }
      for (const m of code.matchAll(/\bt\(\s*`([^`$]+)`/g)) {
        if (!has(m[1] as string)) missing.push(`${path.relative(SRC, file)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every key family built at run time is complete', () => {
    const families: string[] = [
      // Staff and administration (src/bot/features/staff.ts, manage.ts, conversations/staff-action.ts).
      ...[...STAFF_COMMANDS, ...MANAGE_COMMANDS].map((c) => `common:commands.${c}`),
      ...CASE_STATUSES.map((s) => `staff:status.${s}`),
      ...QUEUE_FILTERS.map((f) => `staff:filters.${f}`),
      ...['not_found', 'not_allowed', 'conflict', 'invalid'].map((e) => `staff:errors.${e}`),
      ...['staff', 'resident', 'system'].map((a) => `staff:actor.${a}`),
      ...[
        'submitted',
        'taken',
        'reply',
        'ask_info',
        'info_answer',
        'note',
        'transferred',
        'resolved',
        'rejected',
        'released',
        'withdrawn',
        'rated',
        'reopened',
        'escalated',
        'closed',
        'other',
      ].map((k) => `staff:event.${k}`),
      ...['reply', 'ask_info', 'note', 'resolve', 'reject', 'transfer'].flatMap((k) =>
        ['prompt', 'preview', 'done'].map((p) => `staff:action.${k}.${p}`),
      ),
      ...['invalid', 'throttled', 'already_member'].map((e) => `manage:join.${e}`),
      // Notifications (src/bot/notification-render.ts), per kind.
      ...['case_taken', 'reply', 'info_requested', 'resolved', 'rejected', 'transferred', 'other'].flatMap(
        (k) => [`notify:resident.${k}.title`, `notify:resident.${k}.hint`],
      ),
      ...['reply', 'info_requested', 'resolved', 'rejected'].map((k) => `notify:resident.${k}.note`),
      ...[
        'urgent_case',
        'urgent_unclaimed',
        'info_answered',
        'case_withdrawn',
        'case_rated',
        'case_reopened',
        'other',
      ].map((k) => `notify:staff.${k}`),
      // What a resident sends outside a form, and follow-ups refused (features/inbound.ts, features/cases.ts).
      ...['addition', 'documents_added', 'addition_moved', 'addition_taken_back'].map(
        (k) => `staff:event.${k}`,
      ),
      ...['addition', 'documents_added', 'addition_moved'].map((k) => `mycases:event.${k}`),
      ...['case_addition', 'documents_added'].map((k) => `notify:staff.${k}`),
      ...['rated', 'not_done', 'reopen_expired', 'still_open', 'ended', 'not_asked', 'documents'].map(
        (k) => `inbound:refused.${k}`,
      ),
      ...['school_enrolment', 'medical_green_channel', 'dibao', 'suggestion'].map(
        (c) => `inbound:words.${c}`,
      ),
      ...RELATIONS.map((r) => `common:relation.${r}`),
      ...SEXES.map((s) => `common:sex.${s}`),
      ...[
        'start',
        'services',
        'mycases',
        'help',
        'household',
        'language',
        'cancel',
        'reload',
        'mydata',
        'deleteme',
      ].map((c) => `common:commands.${c}`),
      // The web console (src/http/console/pages.tsx, app.tsx).
      ...['idle', 'expired', 'removed', 'signed_out'].map((k) => `console:sign_in.ended.${k}`),
      ...['unknown', 'expired', 'used', 'not_staff'].map((k) => `console:login.refused.${k}`),
      ...QUEUE_FILTERS.map((f) => `console:queue.filter.${f}`),
      ...['take', 'reply', 'ask', 'note', 'resolve', 'reject', 'transfer', 'release'].map(
        (a) => `console:case.done.${a}`,
      ),
      ...['reply', 'ask', 'note', 'resolve', 'reject', 'transfer'].flatMap((a) =>
        ['label', 'button'].map((p) => `console:case.actions.${a}.${p}`),
      ),
      ...['next', 'previous', 'take', 'reply', 'resolve', 'help'].map((k) => `console:help.keys.${k}`),
      ...['not_allowed', 'conflict', 'invalid'].map((e) => `console:errors.${e}`),
      // What the update gate tells a resident without the database (src/bot/update-gate.ts).
      ...['try_again_soon', 'generic', 'too_fast'].map((k) => `common:errors.${k}`),
      // /mydata: delivery statuses of notifications (prisma enum NotificationStatus).
      ...['pending', 'sent', 'failed', 'unreachable'].map((s) => `privacy:mydata.notification_status.${s}`),
      ...CASE_STATUSES.map((s) => `mycases:status.${s}`),
      ...['1', '2', '3', '4', '5'].map((n) => `mycases:rate.stars.${n}`),
      ...['not_registered', 'unknown_service', 'no_department', 'invalid'].map(
        (c) => `services:common.failed.${c}`,
      ),
      ...['too_long', 'invalid', 'too_big', 'empty', 'format', 'not_mobile'].map(
        (c) => `services:errors.${c}`,
      ),
      ...['comment.too_long', 'comment.empty'].map((c) => `mycases:rate.errors.${c}`),
      ...['reason.too_long', 'reason.empty'].map((c) => `mycases:reopen.errors.${c}`),
      // Form fields and errors, per step (src/bot/conversations/*.ts) and per domain error code.
      ...['community', 'building', 'unit', 'room', 'name', 'phone', 'idNumber'].map(
        (f) => `registration:fields.${f}`,
      ),
      ...['empty', 'too_long', 'invalid_chars'].flatMap((c) => [
        `registration:errors.room.${c}`,
        `registration:errors.name.${c}`,
      ]),
      ...['empty', 'format', 'not_mobile'].map((c) => `registration:errors.phone.${c}`),
      ...['empty', 'format', 'checksum', 'birth_date', 'future', 'too_old'].flatMap((c) => [
        `registration:errors.idNumber.${c}`,
        `household:member.errors.idNumber.${c}`,
      ]),
      'household:member.errors.idNumber.birth_date_mismatch',
      ...['invalid', 'no_consent', 'unknown_building', 'already_registered', 'needs_check'].map(
        (c) => `registration:failed.${c}`,
      ),
      ...['name', 'relation', 'birthDate', 'idNumber', 'sex'].map((f) => `household:member.fields.${f}`),
      ...['empty', 'too_long', 'invalid_chars'].map((c) => `household:member.errors.name.${c}`),
      ...['empty', 'format', 'invalid_date', 'future', 'too_old'].map(
        (c) => `household:member.errors.birthDate.${c}`,
      ),
      ...[
        'invalid',
        'not_registered',
        'not_found',
        'duplicate',
        'is_resident',
        'too_many',
        'id_required',
        'birth_date_mismatch',
      ].map((c) => `household:member.failed.${c}`),
      // Community notices (src/bot/conversations/notice.ts, src/bot/features/notices.ts).
      ...[...NOTICE_COMMANDS, 'notices', ...LABOUR_COMMANDS].map((c) => `common:commands.${c}`),
      ...AUDIENCE_KINDS.flatMap((k) => [`notices:audience.${k}`, `notices:audience_label.${k}`]),
      ...NOTICE_PROBLEMS.map((p) => `notices:problems.${p}`),
      ...['scheduled', 'sending', 'done', 'cancelled'].map((s) => `notices:status.${s}`),
      ...['not_allowed', 'not_found', 'invalid'].map((c) => `notices:compose.failed.${c}`),
      ...['empty', 'too_long'].flatMap((c) => [`notices:errors.text.${c}`, `notices:errors.textEn.${c}`]),
      ...SCHEDULE_ERRORS.map((c) => `notices:errors.time.${c}`),
      ...['community', 'text', 'textEn', 'photo', 'audience', 'important', 'when'].map(
        (f) => `notices:fields.${f}`,
      ),
      ...['already_started', 'already_cancelled', 'not_found'].map((c) => `notices:cancel.${c}`),
    ];
    expect(families.filter((k) => !zh.has(k))).toEqual([]);
  });

  it('Chinese texts contain no leftover English sentence (the bilingual language picker aside)', () => {
    const z = Object.entries(resources['zh-CN']).flatMap(([ns, tree]) =>
      flatten(tree).map((k) => ({
        key: `${ns}:${k}`,
        value: k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], tree) as string,
      })),
    );
    const english = z.filter(({ value }) => /[A-Za-z]+(\s+[A-Za-z]+){3,}/.test(value.replace(/\/\w+/g, '')));
    expect(english.map((e) => e.key)).toEqual(['common:language.choose']);
  });

  it('English texts read as English: no Chinese full-width punctuation and no 元', () => {
    const e = Object.entries(resources.en).flatMap(([ns, tree]) =>
      flatten(tree).map((k) => ({
        key: `${ns}:${k}`,
        value: k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], tree) as string,
      })),
    );
    const chinesePunctuation = /[，。：；！？（）、元]/;
    expect(e.filter(({ value }) => chinesePunctuation.test(value)).map((x) => x.key)).toEqual([]);
    // Stilted phrasing that crept in from translating word for word.
    expect(e.filter(({ value }) => /\bLet us\b/i.test(value)).map((x) => x.key)).toEqual([]);
  });
});
