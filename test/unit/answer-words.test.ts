// A case's stored answers in the reader's words: rebuilt from the values in the reader's language, the
// resident's own words only for what cannot be rebuilt.
import { describe, expect, it } from 'vitest';
import { answerWords, moneyLabel } from '../../src/bot/answer-words.ts';
import { createTranslator } from '../../src/bot/i18n.ts';

const translator = createTranslator();
const zh = translator.t('zh-CN');
const en = translator.t('en');

describe('answerWords', () => {
  it('money: "1500 元" in Chinese, "¥1,500" in English', () => {
    expect(moneyLabel(zh, 'zh-CN', 1500)).toBe('1500 元');
    expect(moneyLabel(en, 'en', 1500)).toBe('¥1,500');
    expect(moneyLabel(en, 'en', 0)).toBe('¥0');
  });

  it('a choice by its option in the reader language; an option the catalogue no longer has keeps its label', () => {
    const a = {
      stepId: 'stage',
      kind: 'choice' as const,
      value: 'primary_1',
      label: 'Primary grade 1',
      files: 0,
    };
    expect(answerWords(zh, 'zh-CN', 'school_enrolment', a)).toBe('小学一年级');
    expect(answerWords(en, 'en', 'school_enrolment', a)).toBe('Primary grade 1');
    expect(answerWords(zh, 'zh-CN', 'school_enrolment', { ...a, value: 'gone', label: '旧的选项' })).toBe(
      '旧的选项',
    );
  });

  it('free text as typed; a masked or spoken answer as stored; a skipped one as a dash', () => {
    const text = {
      stepId: 'specialNeeds',
      kind: 'text' as const,
      value: 'She is shy',
      label: 'She is shy',
      files: 0,
    };
    expect(answerWords(zh, 'zh-CN', 'school_enrolment', text)).toBe('She is shy');
    expect(
      answerWords(zh, 'zh-CN', 'x', { ...text, stepId: 'idNumber', value: null, label: '522*****34' }),
    ).toBe('522*****34');
    expect(
      answerWords(en, 'en', 'suggestion', {
        ...text,
        value: null,
        label: '🎤 语音（3 秒）',
        voiceSeconds: 3,
        files: 1,
      }),
    ).toBe('🎤 Voice 0:03');
    expect(answerWords(en, 'en', 'school_enrolment', { ...text, value: null, label: '—' })).toBe('—');
    // A sum said aloud: the voice in the reader's words (staff hear the figure).
    const income = {
      stepId: 'income',
      kind: 'money' as const,
      value: null,
      label: '🎤 Voice 0:08',
      files: 1,
    };
    expect(answerWords(zh, 'zh-CN', 'dibao', { ...income, voiceSeconds: 8 })).toBe('🎤 语音 0:08');
  });

  it('a person by name, relation and age; the applicant as such', () => {
    const person = {
      stepId: 'patient',
      kind: 'person' as const,
      value: 'p1',
      label: '杨奶奶',
      files: 0,
      person: { name: '杨奶奶', relation: 'self' as const, birthDate: '1950-01-01', age: 76 },
    };
    expect(answerWords(zh, 'zh-CN', 'medical_green_channel', person)).toBe('杨奶奶（申请人本人，76岁）');
    expect(answerWords(en, 'en', 'medical_green_channel', person)).toBe('杨奶奶 (the applicant, aged 76)');
    expect(answerWords(en, 'en', 'medical_green_channel', { ...person, person: undefined })).toBe('杨奶奶');
  });
});
