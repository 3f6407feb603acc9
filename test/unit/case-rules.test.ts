// The rules a new case is held to (src/domain/case-rules.ts): answers checked again against the catalogue,
// and the due time. The services are the real catalogue's; the reference lists are given here.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answersValid, caseDueAt, type ReferenceLists, visibleSteps } from '../../src/domain/case-rules.ts';
import {
  type FileRef,
  type ServiceAnswers,
  type StepContext,
  takesVoice,
} from '../../src/domain/catalogue/index.ts';
import {
  dibao,
  medicalCareType,
  medicalGreenChannel,
  schoolEnrolment,
  suggestion,
} from '../../src/domain/catalogue/services.ts';
import {
  anyFileTooLarge,
  MAX_FILE_BYTES,
  MAX_VOICE_SECONDS,
  voiceDuration,
} from '../../src/domain/file-size.ts';
import { fail, ok, type Result } from '../../src/domain/result.ts';

const beijing = (iso: string) => new Date(`${iso}+08:00`);
const today = beijing('2026-11-23T10:00:00'); // a Monday
const people: StepContext['people'] = [
  { id: 'me', name: '张伟', birthDate: '1980-05-01', self: true },
  { id: 'kid', name: '张小明', birthDate: '2018-03-01', self: false },
];
const context = (answers: ServiceAnswers): StepContext => ({ answers, today, people });
const a = (value: string | null, files?: FileRef[]) =>
  files ? { value, label: value ?? '', files } : { value, label: value ?? '' };

/** Reference lists that remember what was asked. */
function lists(): ReferenceLists & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    hospitals: async () => {
      asked.push('hospitals');
      return [{ code: 'H1' }, { code: 'H2' }];
    },
    schools: async (stage) => {
      asked.push(`schools:${stage}`);
      return stage === 'junior' ? [{ code: 'J1' }] : [{ code: 'P1' }];
    },
    courses: async () => {
      asked.push('courses');
      return [{ code: 'C1' }];
    },
  };
}

const visit: ServiceAnswers = {
  emergency: a('no'),
  careType: a('inpatient'),
  patient: a('kid'),
  hospital: a('H2'),
  description: a('高烧不退'),
  poorHousehold: a('unsure'),
  phone: a('13812345678'),
};

describe('answers checked against the catalogue', () => {
  it('accepts a complete, valid form and looks the hospital up', async () => {
    const refs = lists();
    expect(await answersValid(medicalGreenChannel, context(visit), refs)).toBe(true);
    expect(refs.asked).toEqual(['hospitals']);
  });

  it('refuses an unknown step, a missing step, a choice not offered, a bad phone, an unknown person', async () => {
    const cases: ServiceAnswers[] = [
      { ...visit, extra: a('x') },
      { ...visit, careType: undefined },
      { ...visit, careType: a('dental') },
      { ...visit, phone: a('12345') },
      { ...visit, patient: a('someone-else') },
      { ...visit, hospital: a('H9') },
    ];
    for (const answers of cases)
      expect(await answersValid(medicalGreenChannel, context(answers), lists())).toBe(false);
  });

  it('an emergency needs only patient, hospital and phone, is urgent, and keeps no other answer', async () => {
    const urgent: ServiceAnswers = {
      emergency: a('yes'),
      patient: a('me'),
      hospital: a('H1'),
      phone: a('13812345678'),
    };
    expect(await answersValid(medicalGreenChannel, context(urgent), lists())).toBe(true);
    expect(medicalGreenChannel.urgency?.(urgent)).toBe('urgent');
    expect(medicalCareType(urgent)).toBe('emergency');
    expect(visibleSteps(medicalGreenChannel, context(urgent)).map((s) => s.id)).toEqual([
      'emergency',
      'patient',
      'hospital',
      'phone',
    ]);
    expect(medicalGreenChannel.urgency?.(visit)).toBe('normal');
    expect(medicalCareType(visit)).toBe('inpatient');
    // A case filed before the first question existed: its kind of care said "emergency".
    expect(medicalCareType({ careType: a('emergency') })).toBe('emergency');
    for (const answers of [
      { ...urgent, phone: undefined },
      { ...urgent, emergency: a('maybe') },
      { ...visit, emergency: undefined },
      { ...visit, careType: a('emergency') }, // not offered any more: the first question says it
      { ...visit, poorHousehold: a('yes') }, // the old wording's answer
      { ...visit, poorHousehold: undefined },
    ])
      expect(await answersValid(medicalGreenChannel, context(answers), lists())).toBe(false);
    for (const option of ['lifted', 'monitored', 'neither', 'unsure'])
      expect(
        await answersValid(medicalGreenChannel, context({ ...visit, poorHousehold: a(option) }), lists()),
      ).toBe(true);
  });

  it('takes a voice message for a text step that allows it, and nothing else instead of text', async () => {
    const voice = { kind: 'voice' as const, fileId: 'v', fileUniqueId: 'v1', sizeBytes: 1000 };
    const photo = { kind: 'photo' as const, fileId: 'p', fileUniqueId: 'p1', sizeBytes: 1000 };
    const withVoice = { ...visit, description: a(null, [voice]) };
    expect(await answersValid(medicalGreenChannel, context(withVoice), lists())).toBe(true);
    const withPhoto = { ...visit, description: a(null, [photo]) };
    expect(await answersValid(medicalGreenChannel, context(withPhoto), lists())).toBe(false);
  });

  it('free text takes a voice message unless the step says otherwise; a voice over 5 minutes is refused', async () => {
    const voice = (seconds: number) => ({
      kind: 'voice' as const,
      fileId: 'v',
      fileUniqueId: 'v1',
      durationSeconds: seconds,
    });
    const base: ServiceAnswers = {
      income: a('800'),
      reason: a('other'),
      reasonDetail: a(null, [voice(30)]),
      assets: a('none'),
      verificationConsent: a('agree'),
    };
    // reasonDetail has no voice flag: free text takes voice by default.
    expect(await answersValid(dibao, context(base), lists())).toBe(true);
    const tooLong = { ...base, reasonDetail: a(null, [voice(MAX_VOICE_SECONDS + 1)]) };
    expect(await answersValid(dibao, context(tooLong), lists())).toBe(false);
    const exact = { ...base, reasonDetail: a(null, [voice(MAX_VOICE_SECONDS)]) };
    expect(await answersValid(dibao, context(exact), lists())).toBe(true);
    // A step that needs exact characters says so, and then a voice message is no answer.
    const typedOnly = {
      ...dibao,
      steps: dibao.steps.map((s) => (s.id === 'reasonDetail' ? { ...s, voice: false } : s)),
    } as typeof dibao;
    expect(await answersValid(typedOnly, context(base), lists())).toBe(false);
    // Words and a voice message together (a captioned voice message) are fine; a photo on a text step is not.
    const photo = { kind: 'photo' as const, fileId: 'p', fileUniqueId: 'p1' };
    const both = { ...base, reasonDetail: a('腿脚不好，干不了重活', [voice(30)]) };
    expect(await answersValid(dibao, context(both), lists())).toBe(true);
    const withPhoto = { ...base, reasonDetail: a('腿脚不好，干不了重活', [photo]) };
    expect(await answersValid(dibao, context(withPhoto), lists())).toBe(false);
    const twoVoices = { ...base, reasonDetail: a(null, [voice(30), voice(20)]) };
    expect(await answersValid(dibao, context(twoVoices), lists())).toBe(false);
    expect(takesVoice({ kind: 'text', id: 'x', schema: z.string(), maxLength: 1 })).toBe(true);
  });

  it("reads a voice message's length as people do", () => {
    expect([0, 9, 12, 65, 300].map(voiceDuration)).toEqual(['0:00', '0:09', '0:12', '1:05', '5:00']);
  });

  it('refuses a stop answer (consent declined), income out of range, and files over the limit', async () => {
    const base: ServiceAnswers = {
      income: a('800'),
      reason: a('illness'),
      assets: a('none'),
      verificationConsent: a('agree'),
    };
    expect(await answersValid(dibao, context(base), lists())).toBe(true);
    expect(await answersValid(dibao, context({ ...base, verificationConsent: a('decline') }), lists())).toBe(
      false,
    );
    expect(await answersValid(dibao, context({ ...base, income: a('2000000') }), lists())).toBe(false);
    expect(await answersValid(dibao, context({ ...base, income: a('-5') }), lists())).toBe(false);
    // The sum said aloud: one voice message (staff hear it), never a photo, two voices or digits with a file.
    const spoken = { kind: 'voice' as const, fileId: 'v', fileUniqueId: 'v1', durationSeconds: 6 };
    const photo = { kind: 'photo' as const, fileId: 'p', fileUniqueId: 'p1' };
    expect(await answersValid(dibao, context({ ...base, income: a(null, [spoken]) }), lists())).toBe(true);
    expect(await answersValid(dibao, context({ ...base, income: a(null, [photo]) }), lists())).toBe(false);
    expect(await answersValid(dibao, context({ ...base, income: a(null, [spoken, spoken]) }), lists())).toBe(
      false,
    );
    expect(await answersValid(dibao, context({ ...base, income: a('800', [spoken]) }), lists())).toBe(false);
    const tooLong = { ...spoken, durationSeconds: MAX_VOICE_SECONDS + 1 };
    expect(await answersValid(dibao, context({ ...base, income: a(null, [tooLong]) }), lists())).toBe(false);
    const big = { kind: 'document' as const, fileId: 'd', fileUniqueId: 'd1', sizeBytes: MAX_FILE_BYTES + 1 };
    const small = { ...big, sizeBytes: MAX_FILE_BYTES };
    expect(await answersValid(dibao, context({ ...base, documents: a(null, [small]) }), lists())).toBe(true);
    expect(await answersValid(dibao, context({ ...base, documents: a(null, [big]) }), lists())).toBe(false);
  });

  it('asks a hidden step only when shown: "other" needs its detail, otherwise it is not required', async () => {
    const base: ServiceAnswers = {
      income: a('800'),
      reason: a('other'),
      assets: a('none'),
      verificationConsent: a('agree'),
    };
    expect(visibleSteps(dibao, context(base)).map((s) => s.id)).toContain('reasonDetail');
    expect(await answersValid(dibao, context(base), lists())).toBe(false);
    expect(await answersValid(dibao, context({ ...base, reasonDetail: a('照顾老人') }), lists())).toBe(true);
  });

  it('checks a school against the stage chosen, and accepts the extra option without a look-up', async () => {
    const answers: ServiceAnswers = {
      child: a('kid'),
      stage: a('junior_1'),
      school: a('J1'),
      guardianConsent: a('agree'),
    };
    const refs = lists();
    expect(await answersValid(schoolEnrolment, context(answers), refs)).toBe(true);
    expect(refs.asked).toEqual(['schools:junior']);
    expect(await answersValid(schoolEnrolment, context({ ...answers, school: a('P1') }), lists())).toBe(
      false,
    );
    const nearest = lists();
    expect(await answersValid(schoolEnrolment, context({ ...answers, school: a('nearest') }), nearest)).toBe(
      true,
    );
    expect(nearest.asked).toEqual([]);
    // The resident themself is not a child to enrol.
    expect(await answersValid(schoolEnrolment, context({ ...answers, child: a('me') }), lists())).toBe(false);
  });
});

describe('due time', () => {
  const calendar = { exceptions: new Map<string, 'holiday' | 'workday'>() };

  it('counts working days to office close, hours and calendar days by the clock', () => {
    // Green channel: 2 working days normally, 2 hours when urgent.
    expect(caseDueAt(medicalGreenChannel, 'normal', today, calendar)).toEqual(beijing('2026-11-25T18:00:00'));
    expect(caseDueAt(medicalGreenChannel, 'urgent', today, calendar)).toEqual(beijing('2026-11-23T12:00:00'));
    // A suggestion: 7 calendar days, urgent or not (it has no urgent due time).
    expect(caseDueAt(suggestion, 'normal', today, calendar)).toEqual(beijing('2026-11-30T10:00:00'));
    expect(caseDueAt(suggestion, 'urgent', today, calendar)).toEqual(beijing('2026-11-30T10:00:00'));
  });

  it('skips holidays of the calendar', () => {
    const holiday = { exceptions: new Map<string, 'holiday' | 'workday'>([['2026-11-24', 'holiday']]) };
    expect(caseDueAt(medicalGreenChannel, 'normal', today, holiday)).toEqual(beijing('2026-11-26T18:00:00'));
  });
});

describe('file size and results', () => {
  it('a file is too large only over 20 MB; unknown sizes pass', () => {
    expect(MAX_FILE_BYTES).toBe(20 * 1024 * 1024);
    expect(anyFileTooLarge(undefined)).toBe(false);
    expect(anyFileTooLarge([{}, { sizeBytes: MAX_FILE_BYTES }])).toBe(false);
    expect(anyFileTooLarge([{ sizeBytes: 1 }, { sizeBytes: MAX_FILE_BYTES + 1 }])).toBe(true);
  });

  it('ok and fail build the two sides of a Result', () => {
    const good: Result<number, 'x'> = ok(3);
    const bad: Result<number, 'x'> = fail('x');
    expect(good).toEqual({ ok: true, value: 3 });
    expect(bad).toEqual({ ok: false, error: 'x' });
  });
});
