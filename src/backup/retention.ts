import { BackupConfig } from '../config/sections/backup.section';
import { newestFirst } from './backup.manifest';

export type RetentionPolicy = BackupConfig['retention'];

export interface RetentionCandidate {
  id: string;
  createdAt: Date;
  verified: boolean;
}

export interface RetentionDecision {
  keep: { id: string; reasons: string[] }[];
  remove: string[];
}

const buckets: { rule: Exclude<keyof RetentionPolicy, 'keepLast'>; key: (date: Date) => string }[] =
  [
    { rule: 'hourly', key: (d) => d.toISOString().slice(0, 13) },
    { rule: 'daily', key: (d) => d.toISOString().slice(0, 10) },
    { rule: 'weekly', key: isoWeek },
    { rule: 'monthly', key: (d) => d.toISOString().slice(0, 7) },
    { rule: 'yearly', key: (d) => d.toISOString().slice(0, 4) },
  ];

/**
 * restic `forget` semantics (UTC): keep the newest `keepLast`; for each of hourly/daily/… keep the
 * newest backup of each of the last N distinct periods that have a backup. The newest verified
 * backup is always kept, whatever the policy.
 */
export function applyRetention(
  candidates: RetentionCandidate[],
  policy: RetentionPolicy,
): RetentionDecision {
  const ordered = [...candidates].sort(newestFirst);
  const reasons = new Map<string, string[]>(ordered.map((candidate) => [candidate.id, []]));
  ordered.slice(0, policy.keepLast).forEach((candidate) => reasons.get(candidate.id)!.push('last'));
  for (const { rule, key } of buckets) {
    const seen = new Set<string>();
    for (const candidate of ordered) {
      if (seen.size >= policy[rule]) break;
      const period = key(candidate.createdAt);
      if (seen.has(period)) continue;
      seen.add(period);
      reasons.get(candidate.id)!.push(`${rule} ${period}`);
    }
  }
  const newestVerified = ordered.find((candidate) => candidate.verified);
  if (newestVerified) reasons.get(newestVerified.id)!.push('newest verified');
  return {
    keep: ordered
      .filter((c) => reasons.get(c.id)!.length > 0)
      .map((c) => ({ id: c.id, reasons: reasons.get(c.id)! })),
    remove: ordered.filter((c) => reasons.get(c.id)!.length === 0).map((c) => c.id),
  };
}

function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = new Date(Date.UTC(day.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((day.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
