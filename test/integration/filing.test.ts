// Filing for a resident (src/app/filing.ts over cases.submitFor), on the real database with the use cases
// main.ts wires: a clerk at the window and a community worker by proxy; the web form read from the catalogue
// with the chat form's checks — wrong, empty, oversized and forged answers for each kind of step; unknown
// and retired services; another community's resident; a forged resident id; a second post of one form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmitResult } from '../../src/app/cases.ts';
import { FILED_FOR_YOU_KIND, REGISTERED_PHONE } from '../../src/app/cases.ts';
import type { FilingExtras, FilingService } from '../../src/app/filing.ts';
import {
  type FormWords,
  fieldName,
  type RawForm,
  TYPED_PHONE,
  typedName,
} from '../../src/app/filing-form.ts';
import { renderCard } from '../../src/bot/features/staff.ts';
import { renderNotification } from '../../src/bot/notification-render.ts';
import { composeConsoleDesk } from '../../src/compose.ts';
import { createHarness, type Harness } from '../support/bot-harness.ts';
import { answerEveryStep, formWords } from '../support/filing-answers.ts';
import { makeIdNumber } from '../support/fixtures.ts';
import { addMember, registerResident } from '../support/flows.ts';
import { makeStaff } from '../support/staff-scene.ts';

const CLERK = 84_001;
const WORKER = 84_002;
const WORKER_OTHER = 84_003;
const NOBODY = 84_004;
const RESIDENT = 84_101;
const RESIDENT_OTHER = 84_102;

let h: Harness;
let filing: FilingService;
let residentId: string;
let otherResidentId: string;
let childId: string;
let otherMemberId: string;
let clerkStaffId: string;
let idNumber: string;
let firstDibao: SubmitResult;
let childIdNumber: string;

const words: FormWords = formWords;
const extras = (more: Partial<FilingExtras> = {}): FilingExtras => ({
  householdConfirmed: true,
  documentsSeen: [],
  note: null,
  ...more,
});
let keySeq = 0;
const freshKey = () => `test-key-${++keySeq}-${Date.now()}`;

const DIBAO: RawForm = {
  [fieldName('income')]: '1200',
  [fieldName('reason')]: 'other',
  [fieldName('reasonDetail')]: '腿脚不好，干不了重活',
  [fieldName('assets')]: 'none',
  [fieldName('verificationConsent')]: 'agree',
};
const MEDICAL = (): RawForm => ({
  [fieldName('emergency')]: 'no',
  [fieldName('careType')]: 'outpatient',
  [fieldName('patient')]: childId,
  [fieldName('hospital')]: 'ws-peoples',
  [fieldName('description')]: '发烧三天',
  [fieldName('poorHousehold')]: 'unsure',
  [fieldName('phone')]: REGISTERED_PHONE,
});

beforeAll(async () => {
  h = await createHarness();
  filing = composeConsoleDesk({ db: h.db, cipher: h.cipher, deps: h.deps }).filing;
  idNumber = await registerResident(h.user(RESIDENT), { name: '吴大山', phone: '13800002222' });
  childIdNumber = makeIdNumber({ birthDate: '2016-03-03', seq: 912, sex: 'male' });
  childId = await addMember(h, RESIDENT, {
    name: '吴小川',
    relation: 'child',
    birthDate: '2016-03-03',
    idNumber: childIdNumber,
  });
  await registerResident(h.user(RESIDENT_OTHER), {
    name: '田秀芝',
    phone: '13900003333',
    community: '冲广坪社区',
    building: '1栋',
    unit: '1 单元',
    room: '101',
  });
  otherMemberId = await addMember(h, RESIDENT_OTHER, {
    name: '田小妹',
    relation: 'child',
    birthDate: '2014-01-01',
  });
  residentId = (await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(RESIDENT) } })).id;
  otherResidentId = (await h.db.resident.findUniqueOrThrow({ where: { telegramId: BigInt(RESIDENT_OTHER) } }))
    .id;
  clerkStaffId = await makeStaff(h, CLERK, 'wanshan-civil-affairs', { displayName: '王红梅' });
  for (const [id, community, name] of [
    [WORKER, 'wanshan-wangjia', '社区小张'],
    [WORKER_OTHER, 'wanshan-dongsheng', '冲广坪小陈'],
  ] as const) {
    await h.db.staffMember.create({
      data: { telegramId: BigInt(id), role: 'worker', communityCode: community, displayName: name },
    });
  }
});
afterAll(() => h.close());

const file = (who: number, code: string, raw: RawForm, more: Partial<FilingExtras> = {}, key = freshKey()) =>
  filing.file(who, residentId, code, raw, words, extras(more), key);

async function filed(r: Awaited<ReturnType<typeof file>>): Promise<SubmitResult> {
  if (!r.ok)
    throw new Error(
      `not filed: ${JSON.stringify(r.error, (_k, v) => (typeof v === 'function' ? undefined : v)).slice(0, 400)}`,
    );
  return r.value;
}

/** The field errors of a refused filing, by step. */
function fieldErrors(r: Awaited<ReturnType<typeof file>>): Record<string, string> {
  if (r.ok || r.error === 'not_found' || r.error.kind === 'refused') throw new Error('expected a form error');
  return Object.fromEntries(
    r.error.form.fields.filter((f) => f.error).map((f) => [f.step.id, f.error?.error ?? '']),
  );
}

describe('a clerk files at the window', () => {
  it('files the dibao: the case says who filed it and how, with an event, an audit row and the resident told', async () => {
    const r = await filed(
      await file(CLERK, 'dibao', DIBAO, {
        documentsSeen: ['household_register', 'income_proof'],
        note: '窗口已看过原件：户口本、收入证明',
      }),
    );
    expect(r.created).toBe(true);
    firstDibao = r;
    const row = await h.db.case.findUniqueOrThrow({ where: { id: r.caseId } });
    expect(row).toMatchObject({
      filedVia: 'window',
      filedByStaffId: clerkStaffId,
      residentId,
      status: 'submitted',
    });
    const [event] = await h.db.caseEvent.findMany({ where: { caseId: r.caseId } });
    expect(event).toMatchObject({ kind: 'filed_at_window', actorKind: 'staff', actorId: clerkStaffId });
    const audit = await h.db.auditLog.findFirstOrThrow({
      where: { caseId: r.caseId, action: 'case.filed_for' },
    });
    expect(audit.actorTelegramId).toBe(BigInt(CLERK));
    expect(audit.detail).toMatchObject({
      via: 'window',
      serviceCode: 'dibao',
      documentsSeen: ['household_register', 'income_proof'],
    });
    // The staff's card reads the filing as the bot's staff card and the console's case page show it.
    await makeStaff(h, 84_010, 'wanshan-civil-affairs', { displayName: '李科长' });
    const card = await h.deps.staff.card(84_010, r.caseId);
    if (!card.ok) throw new Error('no card');
    expect(card.value.history[0]).toMatchObject({ kind: 'filed_at_window', actor: '王红梅' });
    expect(card.value.history[0]?.note).toBe('窗口已看过原件：户口本、收入证明');
    expect(card.value.resident?.name).toBe('吴大山');
    // The bot's staff card says it in words.
    const text = renderCard(h.deps.translator.t('zh-CN'), 'zh-CN', card.value);
    expect(text).toContain('王红梅');
    expect(text).toContain('在窗口替居民提交');
    const told = await h.db.notification.findFirstOrThrow({
      where: { caseId: r.caseId, kind: FILED_FOR_YOU_KIND },
    });
    expect(told.telegramId).toBe(BigInt(RESIDENT));
    // The resident sees it among their own cases.
    const mine = await h.deps.cases.listMine(RESIDENT, 0);
    expect(mine.ok && mine.value.items.map((i) => i.id)).toContain(r.caseId);
  });

  it('files a medical green channel for a child, with the registered phone', async () => {
    const r = await filed(await file(CLERK, 'medical_green_channel', MEDICAL()));
    expect(r.card?.patientName).toBe('吴小川');
    expect(r.priority).toBe('normal');
  });

  it('a second post of the same form finds the case the first made', async () => {
    const key = freshKey();
    const first = await filed(await file(CLERK, 'suggestion', suggestion(), {}, key));
    const again = await filed(await file(CLERK, 'suggestion', suggestion(), {}, key));
    expect(again.caseId).toBe(first.caseId);
    expect(again.created).toBe(false);
    expect(await h.db.case.count({ where: { submissionKey: { endsWith: key } } })).toBe(1);
  });
});

function suggestion(): RawForm {
  return {
    [fieldName('topic')]: 'environment',
    [fieldName('content')]: '楼下的垃圾没人收',
    [fieldName('anonymous')]: 'named',
  };
}

describe('wrong input, for each kind of step, loses nothing and files nothing', () => {
  it('money: letters, too big, a fraction; text: too long, only spaces', async () => {
    const before = await h.db.case.count();
    expect(fieldErrors(await file(CLERK, 'dibao', { ...DIBAO, [fieldName('income')]: 'abc' }))).toEqual({
      income: 'not_number',
    });
    expect(fieldErrors(await file(CLERK, 'dibao', { ...DIBAO, [fieldName('income')]: '99999999' }))).toEqual({
      income: 'too_big',
    });
    expect(fieldErrors(await file(CLERK, 'dibao', { ...DIBAO, [fieldName('income')]: '12.5' }))).toEqual({
      income: 'fraction',
    });
    expect(
      fieldErrors(await file(CLERK, 'dibao', { ...DIBAO, [fieldName('reasonDetail')]: '很'.repeat(501) })),
    ).toEqual({ reasonDetail: 'too_long' });
    expect(fieldErrors(await file(CLERK, 'dibao', { ...DIBAO, [fieldName('reasonDetail')]: '   ' }))).toEqual(
      {
        reasonDetail: 'required',
      },
    );
    expect(await h.db.case.count()).toBe(before);
  });

  it('keeps what was typed, wrong or not, to show again', async () => {
    const r = await file(CLERK, 'dibao', { ...DIBAO, [fieldName('income')]: '大概一千多 abc' });
    if (r.ok || r.error === 'not_found' || r.error.kind === 'refused')
      throw new Error('expected a form error');
    expect(r.error.form.fields.find((f) => f.step.id === 'income')?.sent).toEqual(['大概一千多 abc']);
    expect(r.error.form.answers.reason?.value).toBe('other');
  });

  it('choice: a forged option, two options for one, nothing chosen', async () => {
    expect(fieldErrors(await file(CLERK, 'dibao', { ...DIBAO, [fieldName('reason')]: 'lottery' }))).toEqual({
      reason: 'invalid',
    });
    expect(
      fieldErrors(await file(CLERK, 'dibao', { ...DIBAO, [fieldName('assets')]: ['none', 'some'] })),
    ).toEqual({ assets: 'invalid' });
    const { [fieldName('assets')]: _gone, ...noAssets } = DIBAO;
    expect(fieldErrors(await file(CLERK, 'dibao', noAssets))).toEqual({ assets: 'required' });
  });

  it('a step an answer hides is not asked, and what was typed for it is dropped', async () => {
    const r = await filed(
      await file(CLERK, 'dibao', {
        ...DIBAO,
        [fieldName('reason')]: 'illness',
        [fieldName('reasonDetail')]: '很'.repeat(900),
      }),
    );
    const card = await h.deps.staff.card(84_010, r.caseId);
    expect(card.ok && card.value.answers.map((a) => a.stepId)).not.toContain('reasonDetail');
  });

  it('stopOn: consent declined ends the form without a case', async () => {
    const r = await file(CLERK, 'dibao', { ...DIBAO, [fieldName('verificationConsent')]: 'decline' });
    if (r.ok || r.error === 'not_found' || r.error.kind !== 'form') throw new Error('expected the form back');
    expect(r.error.form.stopped).toEqual({ stepId: 'verificationConsent', value: 'decline' });
  });

  it('the dibao counts the household: not filed until the clerk ticked it with the resident', async () => {
    const r = await file(CLERK, 'dibao', DIBAO, { householdConfirmed: false });
    expect(!r.ok && r.error !== 'not_found' && r.error.kind).toBe('household_not_confirmed');
  });

  it('person: another household’s member, a made-up id; reference: a school for a hospital, a made-up one', async () => {
    expect(
      fieldErrors(
        await file(CLERK, 'medical_green_channel', { ...MEDICAL(), [fieldName('patient')]: otherMemberId }),
      ),
    ).toEqual({ patient: 'invalid' });
    expect(
      fieldErrors(
        await file(CLERK, 'medical_green_channel', {
          ...MEDICAL(),
          [fieldName('patient')]: 'x'.repeat(10_000),
        }),
      ),
    ).toEqual({ patient: 'invalid' });
    expect(
      fieldErrors(
        await file(CLERK, 'medical_green_channel', {
          ...MEDICAL(),
          [fieldName('hospital')]: 'ws-wangjia-kg',
        }),
      ),
    ).toEqual({ hospital: 'invalid' });
    expect(
      fieldErrors(
        await file(CLERK, 'medical_green_channel', { ...MEDICAL(), [fieldName('hospital')]: '<script>' }),
      ),
    ).toEqual({ hospital: 'invalid' });
  });

  it('phone: a landline, letters; a typed mobile number is taken', async () => {
    const typed = (n: string) => ({
      ...MEDICAL(),
      [fieldName('phone')]: TYPED_PHONE,
      [typedName('phone')]: n,
    });
    expect(fieldErrors(await file(CLERK, 'medical_green_channel', typed('0856-1234567')))).toEqual({
      phone: 'not_mobile',
    });
    expect(fieldErrors(await file(CLERK, 'medical_green_channel', typed('电话号码')))).toEqual({
      phone: 'format',
    });
    expect(fieldErrors(await file(CLERK, 'medical_green_channel', typed('')))).toEqual({ phone: 'required' });
    await filed(await file(CLERK, 'medical_green_channel', typed('139 0000 1111')));
  });

  it('several people: fewer than the service asks', async () => {
    const r = await file(CLERK, 'hukou_transfer', {});
    if (r.ok || r.error === 'not_found' || r.error.kind !== 'form') throw new Error('expected the form back');
    const people = r.error.form.fields.find((f) => f.step.kind === 'person');
    expect(people?.error?.error).toBe('required');
  });

  it('documents seen that the service does not ask for, twice, or files sent in the answers: refused', async () => {
    const refused = async (r: Awaited<ReturnType<typeof file>>) =>
      expect(!r.ok && r.error !== 'not_found' && r.error.kind === 'refused' && r.error.error).toBe('invalid');
    await refused(await file(CLERK, 'dibao', DIBAO, { documentsSeen: ['passport'] }));
    await refused(await file(CLERK, 'dibao', DIBAO, { documentsSeen: ['income_proof', 'income_proof'] }));
    await refused(await file(CLERK, 'dibao', DIBAO, { note: '很'.repeat(2001) }));
    await refused(await file(CLERK, 'dibao', DIBAO, {}, 'bad key with spaces'));
    const staff = await h.db.staffMember.findFirstOrThrow({ where: { telegramId: BigInt(CLERK) } });
    const withFile = await h.deps.cases.submitFor(
      residentId,
      'suggestion',
      {
        topic: { value: 'environment', label: '环境' },
        content: { value: '看照片', label: '看照片' },
        photo: { value: null, label: '1', files: [{ kind: 'photo', fileId: 'f', fileUniqueId: 'u' }] },
        anonymous: { value: 'named', label: '不匿名' },
      },
      freshKey(),
      { staffId: staff.id, telegramId: CLERK, via: 'window', documentsSeen: [], note: null },
    );
    expect(withFile).toEqual({ ok: false, error: 'invalid' });
  });
});

describe('every shipped service, with no code of its own', () => {
  it('is filed through the same generic form: each step answered from what the form offers', async () => {
    const EVERY = 84_020;
    await makeStaff(h, EVERY, 'wanshan-health', { displayName: '全都试' });
    for (const service of h.deps.catalogue.list()) {
      const raw = await answerEveryStep(filing, EVERY, residentId, service.code);
      const r = await filing.file(EVERY, residentId, service.code, raw, words, extras(), freshKey());
      expect(
        r.ok,
        `${service.code}: ${JSON.stringify(!r.ok && r.error, (_k, v) => (typeof v === 'function' ? undefined : v)).slice(0, 300)}`,
      ).toBe(true);
    }
    // Seven services shipped today; any added later is filed the same way.
    expect(h.deps.catalogue.list().length).toBeGreaterThanOrEqual(7);
  });
});

describe('submitFor itself (any front end)', () => {
  const by = async () => {
    const staff = await h.db.staffMember.findFirstOrThrow({ where: { telegramId: BigInt(CLERK) } });
    return { staffId: staff.id, telegramId: CLERK, via: 'window' as const, documentsSeen: [], note: null };
  };

  it('refuses an unknown step, an oversized answer, a made-up resident, an unknown and a retired service', async () => {
    const f = await by();
    const sub = (who: string, code: string, answers: unknown) =>
      h.deps.cases.submitFor(who, code, answers, freshKey(), f);
    const answers = {
      topic: { value: 'environment', label: '' },
      content: { value: '好', label: '' },
      anonymous: { value: 'named', label: '' },
    };
    expect(await sub(residentId, 'suggestion', { ...answers, extra: { value: 'x', label: 'x' } })).toEqual({
      ok: false,
      error: 'invalid',
    });
    expect(
      await sub(residentId, 'suggestion', {
        ...answers,
        content: { value: '好'.repeat(100_000), label: '' },
      }),
    ).toEqual({
      ok: false,
      error: 'invalid',
    });
    expect(await sub(residentId, 'suggestion', 'not an object')).toEqual({ ok: false, error: 'invalid' });
    expect(await sub('00000000-0000-4000-8000-000000000000', 'suggestion', answers)).toEqual({
      ok: false,
      error: 'not_registered',
    });
    expect(await sub("1' or '1'='1", 'suggestion', answers)).toEqual({ ok: false, error: 'not_registered' });
    expect(await sub(residentId, 'lottery', answers)).toEqual({ ok: false, error: 'unknown_service' });
    const all = h.deps.catalogue.list();
    const retired = all.find((s) => s.code === 'suggestion');
    if (!retired) throw new Error('no suggestion service');
    h.deps.catalogue.replace(
      all.filter((s) => s !== retired),
      [retired],
    );
    try {
      expect(await sub(residentId, 'suggestion', answers)).toEqual({ ok: false, error: 'unknown_service' });
      expect(await file(CLERK, 'suggestion', suggestion())).toEqual({ ok: false, error: 'not_found' });
    } finally {
      h.deps.catalogue.replace(all);
    }
  });
});

describe('who may file for whom', () => {
  it('fileable: the residents each person may file for, by the same rule (the console links by it)', async () => {
    const both = [
      { id: residentId, communityCode: 'wanshan-wangjia' },
      { id: otherResidentId, communityCode: 'wanshan-dongsheng' },
    ];
    expect(await filing.fileable(CLERK, both)).toEqual([residentId, otherResidentId]);
    expect(await filing.fileable(WORKER, both)).toEqual([residentId]);
    expect(await filing.fileable(WORKER_OTHER, both)).toEqual([otherResidentId]);
    expect(await filing.fileable(NOBODY, both)).toEqual([]);
    expect(await filing.fileable(CLERK, [])).toEqual([]);
  });

  it('a community worker files for a resident of their community; the resident is told who did it', async () => {
    const r = await filed(await file(WORKER, 'suggestion', suggestion()));
    const row = await h.db.case.findUniqueOrThrow({ where: { id: r.caseId } });
    expect(row.filedVia).toBe('proxy');
    const [event] = await h.db.caseEvent.findMany({ where: { caseId: r.caseId } });
    expect(event?.kind).toBe('filed_by_proxy');
    const n = await h.db.notification.findFirstOrThrow({
      where: { caseId: r.caseId, kind: FILED_FOR_YOU_KIND },
    });
    expect(n.payload).toMatchObject({ via: 'proxy' });
    const rendered = renderNotification(h.deps.translator, 'zh-CN', {
      kind: FILED_FOR_YOU_KIND,
      chatId: BigInt(RESIDENT),
      language: null,
      case: {
        id: r.caseId,
        number: r.number,
        serviceCode: 'suggestion',
        status: 'submitted',
        priority: 'normal',
        dueAt: r.dueAt,
        department: { code: 'x', nameZh: 'x', nameEn: 'x', telegramGroupId: null },
        assignee: null,
        rating: null,
      },
      note: null,
      payload: n.payload as Record<string, unknown>,
      editMessageId: null,
      member: { displayName: '社区小张', role: 'worker', unit: null },
    });
    expect(rendered?.text).toBe(
      `📝 社区工作人员社区小张替您提交了《意见箱》，编号 ${r.number}，您可以在 📋 我办的事 里看进度。`,
    );
  });

  it('a worker of another community, or someone who is not staff, is refused and it is audited', async () => {
    expect(await file(WORKER_OTHER, 'suggestion', suggestion())).toEqual({ ok: false, error: 'not_found' });
    expect(await filing.resident(WORKER_OTHER, residentId)).toEqual({ ok: false, error: 'not_found' });
    expect(await filing.resident(NOBODY, residentId)).toEqual({ ok: false, error: 'not_found' });
    expect(await filing.resident(CLERK, 'not-a-uuid')).toEqual({ ok: false, error: 'not_found' });
    const refusals = await h.db.auditLog.findMany({
      where: { action: 'access.denied', actorTelegramId: BigInt(WORKER_OTHER) },
    });
    expect(refusals.map((a) => (a.detail as { reason?: string }).reason)).toContain('other_community');
    // Their own resident, yes.
    expect((await filing.resident(WORKER_OTHER, otherResidentId)).ok).toBe(true);
  });

  it('finds by ID number (the resident’s or a household member’s), within reach, audited', async () => {
    const found = await filing.findByIdNumber(CLERK, ` ${idNumber} `);
    expect(found.ok && found.value.map((r) => [r.id, r.viaMember])).toEqual([[residentId, false]]);
    const byChild = await filing.findByIdNumber(WORKER, childIdNumber);
    expect(byChild.ok && byChild.value.map((r) => [r.name, r.viaMember])).toEqual([['吴大山', true]]);
    expect(await filing.findByIdNumber(WORKER_OTHER, idNumber)).toEqual({ ok: true, value: [] });
    expect(await filing.findByIdNumber(CLERK, '')).toEqual({ ok: false, error: 'empty' });
    expect(
      await filing.findByIdNumber(CLERK, `${idNumber.slice(0, 17)}${idNumber.endsWith('1') ? '2' : '1'}`),
    ).toEqual({
      ok: false,
      error: 'bad_id',
    });
    expect(await filing.findByIdNumber(NOBODY, idNumber)).toEqual({ ok: false, error: 'not_allowed' });
    const rows = await h.db.auditLog.findMany({
      where: { action: 'console.search', actorTelegramId: BigInt(CLERK) },
    });
    expect(rows.at(-1)?.detail).toMatchObject({ by: 'id', via: 'filing' });
    expect(JSON.stringify(rows.map((a) => [a.subject, a.detail]))).not.toContain(idNumber);
  });

  it('the slip: number, documents, due date, the centre; masked ID; for those who may file for the resident', async () => {
    const r = firstDibao;
    const slip = await filing.slip(CLERK, r.caseId);
    if (!slip.ok) throw new Error('no slip');
    expect(slip.value).toMatchObject({
      number: r.number,
      documents: ['household_register', 'income_proof', 'disability_certificate'],
    });
    expect(slip.value.resident?.idNumberMasked).not.toContain(idNumber.slice(6, 14));
    expect(slip.value.contact?.centre?.phone).toBeTruthy();
    expect(await filing.slip(WORKER_OTHER, r.caseId)).toEqual({ ok: false, error: 'not_found' });
    // Another department's clerk: not theirs (a clerk of this department, or the one who filed it, yes).
    expect(await filing.slip(84_020, r.caseId)).toEqual({ ok: false, error: 'not_found' });
    expect((await filing.slip(84_010, r.caseId)).ok).toBe(true);
    // An anonymous suggestion: only for the one who filed it, and without the resident's name.
    const anonymous = await filed(
      await filing.file(
        WORKER_OTHER,
        otherResidentId,
        'suggestion',
        { ...suggestion(), [fieldName('anonymous')]: 'anonymous' },
        words,
        extras(),
        freshKey(),
      ),
    );
    const own = await filing.slip(WORKER_OTHER, anonymous.caseId);
    expect(own.ok && own.value.resident).toBeNull();
    expect(await filing.slip(84_020, anonymous.caseId)).toEqual({ ok: false, error: 'not_found' });
    const audit = await h.db.auditLog.findFirstOrThrow({
      where: { caseId: anonymous.caseId, action: 'case.filed_for' },
    });
    expect(audit.subject).toBeNull();
    expect(await filing.slip(CLERK, 'nope')).toEqual({ ok: false, error: 'not_found' });
  });
});
