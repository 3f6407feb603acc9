// The rules a new case is held to, whatever front end sent it: its answers checked again against the
// catalogue (the form checks them as they are typed, but a use case trusts no client), and its due time.
// Pure functions; the one look-up the answers need (the district's schools and hospitals) is passed in.
import {
  type Due,
  type ServiceDefinition,
  type ServiceStep,
  type StepContext,
  takesVoice,
} from './catalogue/index.ts';
import { offeredPeople, referenceList } from './catalogue/rules.ts';
import { anyFileTooLarge, anyVoiceTooLong } from './file-size.ts';
import { parsePhone } from './phone.ts';
import { addHours, addWorkingDays, type WorkCalendar } from './working-days.ts';

const DAY_MS = 86_400_000;

/** The reference lists of the resident's district a `reference` step chooses from. */
export interface ReferenceLists {
  hospitals(): Promise<readonly { code: string }[]>;
  schools(stage: 'kindergarten' | 'primary' | 'junior'): Promise<readonly { code: string }[]>;
  /** The district's courses, started or not, full or not (the use case checks those separately). */
  courses(): Promise<readonly { code: string }[]>;
}

/** The steps the form asks given the answers so far (a step's `when` may hide it). */
export function visibleSteps(service: ServiceDefinition, context: StepContext): ServiceStep[] {
  return service.steps.filter((s) => s.when?.(context) ?? true);
}

/**
 * Whether `answers` are a complete, valid filling of the service's form for this household: no unknown
 * step, every visible step answered (unless optional) with a value its kind accepts, no file over the
 * size limit, no voice message over the length limit.
 */
export async function answersValid(
  service: ServiceDefinition,
  context: StepContext,
  references: ReferenceLists,
  /** `filesOptional`: a file step may be left unanswered (documents seen on paper at the window). */
  opts: { filesOptional?: boolean } = {},
): Promise<boolean> {
  const { answers, today } = context;
  const known = new Set(service.steps.map((s) => s.id));
  if (Object.keys(answers).some((k) => !known.has(k))) return false;
  for (const step of visibleSteps(service, context)) {
    const a = answers[step.id];
    if (!a || (a.value === null && !(a.files && a.files.length > 0))) {
      if (step.optional || (step.kind === 'files' && opts.filesOptional)) continue;
      return false;
    }
    const v = a.value;
    switch (step.kind) {
      case 'choice': {
        if (v === null) return false;
        if (step.multiple) {
          const chosen = v.split(',');
          if (
            chosen.length < step.multiple.min ||
            new Set(chosen).size !== chosen.length ||
            chosen.some((x) => !step.options.includes(x))
          )
            return false;
        } else if (!step.options.includes(v) || step.stopOn?.includes(v)) return false;
        break;
      }
      case 'text': {
        // Words, one voice message, or both (a voice message with a caption); no other file.
        const files = a.files ?? [];
        const voiceOk =
          files.length === 0 || (takesVoice(step) && files.length === 1 && files[0]?.kind === 'voice');
        if (!voiceOk || (v === null && files.length === 0)) return false;
        if (v !== null && (!step.schema.safeParse(v).success || v.length > step.maxLength)) return false;
        break;
      }
      case 'money': {
        // A sum in digits, or (said aloud) one voice message and nothing else.
        const files = a.files ?? [];
        if (v === null) {
          if (!takesVoice(step) || files.length !== 1 || files[0]?.kind !== 'voice') return false;
          break;
        }
        if (files.length > 0 || !/^\d{1,9}$/.test(v) || Number(v) > step.max) return false;
        break;
      }
      case 'person': {
        const ids = v === null ? [] : step.multiple ? v.split(',') : [v];
        if (ids.length === 0 || new Set(ids).size !== ids.length) return false;
        if (ids.length < (step.multiple?.min ?? 1)) return false;
        const offered = new Set(offeredPeople(step, context.people, today).map((p) => p.id));
        if (ids.some((id) => !offered.has(id))) return false;
        break;
      }
      case 'reference': {
        if (v === step.extraOption) break;
        const which = referenceList(step, answers);
        const list =
          which.source === 'hospitals'
            ? await references.hospitals()
            : which.source === 'courses'
              ? await references.courses()
              : await references.schools(which.stage);
        if (!list.some((item) => item.code === v)) return false;
        break;
      }
      case 'files':
        if (!a.files || a.files.length > step.max || a.files.some((f) => f.kind === 'voice')) return false;
        break;
      case 'phone':
        if (v === null || !parsePhone(v).ok) return false;
        break;
    }
    if (anyFileTooLarge(a.files) || anyVoiceTooLong(a.files)) return false;
  }
  return true;
}

/** The due time the service allows (its urgent one for an urgent case, if it has one). */
export function serviceDue(service: ServiceDefinition, priority: 'normal' | 'urgent'): Due {
  return priority === 'urgent' && service.urgentDue ? service.urgentDue : service.due;
}

/**
 * When a case submitted at `from` is due: hours and calendar days count the clock; working days skip
 * weekends and holidays and end at office hours' close (see working-days.ts).
 */
export function caseDueAt(
  service: ServiceDefinition,
  priority: 'normal' | 'urgent',
  from: Date,
  calendar: WorkCalendar,
): Date {
  const due = serviceDue(service, priority);
  if ('hours' in due) return addHours(from, due.hours);
  if ('calendarDays' in due) return new Date(from.getTime() + due.calendarDays * DAY_MS);
  return addWorkingDays(from, due.workingDays, calendar);
}
