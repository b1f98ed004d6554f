import type { BusinessCalendar } from './calendar.ts';
import type { Stage, TaskStatus } from './contract.ts';
import type { IsoDate } from './dates.ts';
import type { History } from './history.ts';
import type { Proposal, Task } from './schema.ts';

/** Stages whose tasks are no longer reminded: the proposal's work is over. */
const FINISHED_STAGES: readonly Stage[] = ['Closed', 'Withdrawn'];

export interface TaskRules {
  /** A task due within this many business days (today counted as 0) is Due Soon. */
  readonly dueSoonBusinessDays: number;
}

/**
 * A task's status today. Done once `Done On` is filled; Overdue once its due day has passed; Due Soon
 * when at most `dueSoonBusinessDays` business days remain (weekends and California holidays do not
 * count, so a task due on the Monday after Thanksgiving is one business day away on the Wednesday
 * before); Open otherwise, and when it has no due date.
 */
export function taskStatus(
  task: Pick<Task, 'due' | 'doneOn'>,
  today: IsoDate,
  calendar: BusinessCalendar,
  rules: TaskRules,
): TaskStatus {
  if (task.doneOn) return 'Done';
  if (!task.due) return 'Open';
  if (task.due < today) return 'Overdue';
  return calendar.businessDaysBetween(today, task.due) <= rules.dueSoonBusinessDays ? 'Due Soon' : 'Open';
}

/** A reminder level: what a task reminder line says about it. */
export type TaskReminderLevel = 'task-due-soon' | 'task-overdue';

export interface TaskFinding {
  readonly task: Task;
  readonly status: TaskStatus;
  /** The proposal's stage, when the task's BUCP ID matches one. */
  readonly stage: Stage | null;
  readonly useCaseName: string | null;
  /** The reminder its owner is due today, if any: each (task, level, due date) is reminded once. */
  readonly reminder: TaskReminderLevel | null;
}

/** What the memory keeps of a task reminder: one per task, level, due date and owner. */
export function taskReminderKey(taskId: string, level: TaskReminderLevel, due: IsoDate, owner: string): string {
  return `${taskId}|${level}|${due}|${owner}`;
}

export interface TaskInput {
  readonly tasks: readonly Task[];
  readonly proposals: readonly Proposal[];
  readonly history: History;
  readonly today: IsoDate;
  readonly calendar: BusinessCalendar;
  readonly rules: TaskRules;
}

/**
 * Where each task stands, and which owner is due a reminder today. A task of a Closed or Withdrawn
 * proposal keeps its status but is not reminded; nor is one with an error on its row. A new due date
 * starts its reminders afresh.
 */
export function evaluateTasks(input: TaskInput): TaskFinding[] {
  const { today, calendar, rules, history } = input;
  const proposals = new Map(input.proposals.map((p) => [p.bucpId, p]));
  const seen = new Set<string>();
  const findings: TaskFinding[] = [];
  for (const task of input.tasks) {
    // A later row with the same Task ID: the first one stands for the ID (both are reported).
    if (seen.has(task.taskId)) continue;
    seen.add(task.taskId);
    const proposal = task.bucpId ? proposals.get(task.bucpId) : undefined;
    const status = taskStatus(task, today, calendar, rules);
    const level: TaskReminderLevel | null =
      status === 'Overdue' ? 'task-overdue' : status === 'Due Soon' ? 'task-due-soon' : null;
    const finished = proposal?.stage ? FINISHED_STAGES.includes(proposal.stage) : false;
    const remindable = level && task.valid && task.ownerEmail && task.due && !finished;
    const sent =
      remindable && history.taskReminders.has(taskReminderKey(task.taskId, level, task.due!, task.ownerEmail!));
    findings.push({
      task,
      status,
      stage: proposal?.stage ?? null,
      useCaseName: proposal?.useCaseName ?? null,
      reminder: remindable && !sent ? level : null,
    });
  }
  return findings;
}
