/** A mistake in how the CLI was called: exit code 2 with the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Redis or Postgres does not answer: exit code 3. */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export const EXIT = { ok: 0, someFailed: 1, usage: 2, config: 3 } as const;

export const USAGE = `Replay failed jobs and fix rejected webhook deliveries.

Usage:
  npm run replay -- jobs [filters] [--dry-run] [--yes] [--json]
  npm run replay -- deliveries list [--reason R] [--datasheet dst…] [--since T] [--until T]
                                    [--outcome rejected (default)|accepted|duplicate] [--awaiting-fix] [--limit N] [--json]
  npm run replay -- deliveries show <id> [--json]
  npm run replay -- deliveries revalidate <id> [--json]
  npm run replay -- deliveries correct <id> (--body TEXT | --body-file PATH|-) [--content-type CT] [--json]
  npm run replay -- deliveries replay <id> [--json]
  npm run replay -- conflicts list [--open] [--record rec…] [--limit N] [--json]
  npm run replay -- conflicts show <id> [--json]
  npm run replay -- conflicts resolve <id> --take aitable|missionx [--json]
  npm run replay -- record <rec…> | --client <MissionX client id> | --delivery <delivery id> [--json]

"record" prints one AITable record's whole story, oldest first: the deliveries that named it, its jobs in
every state (attempts, errors), its history rows, its sync rows with the last values written, and its
MissionX client read live (when the MISSIONX_* variables are set). Exit 1 when nothing is known under the id.

"deliveries list" lists REJECTED deliveries unless --outcome says otherwise (they are the ones to fix);
accepted deliveries became jobs: see "jobs" and Bull Board.

Filters of "jobs" (all that are given must match):
  --queue leads|orders|audit-results   one queue (default: all three)
  --since T, --until T                 failed within the window; T is 2h, 30m, 7d, an ISO date or epoch ms
  --record rec…                        the AITable record id in the job data
  --error TEXT                         text in the failure reason or stack trace (case-insensitive)
  --limit N                            at most N jobs, newest first (default 1000)
  --all                                no filter: every failed job of the selected queues

Replay resets the attempt count: each job gets its full set of attempts again.
  --dry-run   list what would be replayed; change nothing
  --yes       do not ask for confirmation (needed when stdin is not a terminal)
  --json      one JSON document on stdout; progress stays on stderr

Personal data (names, emails, phone numbers, companies; the lead fields of AITABLE_LEAD_FIELDS and
PERSONAL_DATA_FIELDS) is masked in everything printed, as the dashboard masks it for a viewer: the CLI has
no login, so whoever runs it reads as a viewer. To see bodies and job data as stored (to fix a delivery):
  --show-personal-data   print personal data unmasked

Exit codes: 0 done, 1 some replays or fixes failed, 2 usage error, 3 configuration or connection error.
Reads REDIS_URL, DATABASE_URL, QUEUE_PREFIX, the AITABLE_*_DATASHEET_ID, AITABLE_LEAD_FIELDS and PERSONAL_DATA_FIELDS variables.`;
