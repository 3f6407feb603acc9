// The case export's table: its columns, and one row a case (times in Beijing wall-clock time; the personal
// columns only when asked for, decrypted here). Who may export, and the audit row, are admin.ts's.
import { beijingMinute } from '../domain/beijing-time.ts';
import type { CaseStatus } from '../domain/case-status.ts';
import { isOverdue } from '../domain/staff-work.ts';
import { type PiiCipher, piiAt } from './pii-cipher.ts';

/** One case of the export; the personal fields still encrypted. */
export interface ExportRow {
  number: string;
  serviceCode: string;
  departmentCode: string;
  departmentNameZh: string;
  status: string;
  priority: string;
  anonymous: boolean;
  submittedAt: Date;
  dueAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  rating: number | null;
  assignee: string | null;
  resident: {
    id: string;
    name: string;
    phoneCipher: Uint8Array;
    idNumberCipher: Uint8Array;
    address: { communityZh: string; buildingZh: string; unit: string; room: string };
  } | null;
}

/** Beijing wall-clock time: "2026-11-23 09:30". */
const beijing = (d: Date | null): string => (d ? beijingMinute(d) : '');

export const EXPORT_COLUMNS = [
  'number',
  'service',
  'department',
  'department_name',
  'status',
  'priority',
  'anonymous',
  'submitted_at',
  'due_at',
  'first_response_at',
  'resolved_at',
  'closed_at',
  'overdue',
  'rating',
  'assignee',
] as const;
export const PERSONAL_EXPORT_COLUMNS = [
  'resident_name',
  'resident_phone',
  'resident_id_number',
  'address',
] as const;

type Cell = string | number | null;

/** The export's header and rows, from the pages the store reads. */
export async function exportTable(
  pages: AsyncIterable<ExportRow[]>,
  opts: { withPersonalData: boolean; at: Date; cipher: Pick<PiiCipher, 'decrypt'> },
): Promise<{ header: string[]; rows: Cell[][] }> {
  const { withPersonalData, at, cipher } = opts;
  const header: string[] = [...EXPORT_COLUMNS, ...(withPersonalData ? PERSONAL_EXPORT_COLUMNS : [])];
  const rows: Cell[][] = [];
  for await (const page of pages) {
    for (const r of page) {
      const row: Cell[] = [
        r.number,
        r.serviceCode,
        r.departmentCode,
        r.departmentNameZh,
        r.status,
        r.priority,
        r.anonymous ? 'yes' : 'no',
        beijing(r.submittedAt),
        beijing(r.dueAt),
        beijing(r.firstResponseAt),
        beijing(r.resolvedAt),
        beijing(r.closedAt),
        isOverdue(r.status as CaseStatus, r.dueAt, at) ? 'yes' : 'no',
        r.rating,
        r.assignee,
      ];
      if (withPersonalData) {
        const p = r.resident;
        row.push(
          p?.name ?? null,
          p ? cipher.decrypt(p.phoneCipher, piiAt.residentPhone(p.id)) : null,
          p ? cipher.decrypt(p.idNumberCipher, piiAt.residentIdNumber(p.id)) : null,
          p
            ? `${p.address.communityZh} ${p.address.buildingZh} ${p.address.unit}单元 ${p.address.room}`
            : null,
        );
      }
      rows.push(row);
    }
  }
  return { header, rows };
}
