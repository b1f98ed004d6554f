import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { PlannedNotification, TemplateName } from '../core/notifications.ts';
import { packagePath } from '../package-root.ts';

export const DEFAULT_TEMPLATES_DIR = packagePath('config/templates/');

const TEMPLATE_NAMES: readonly TemplateName[] = [
  'reminder-digest',
  'escalation',
  'dispute-escalation',
  'next-action',
  'manager-digest',
  'disposition-escalation',
  'liaison-submitted',
];

type Compiled = (context: unknown) => string;
type PrecompileOptions = Parameters<typeof Handlebars.precompile>[1];

export interface RenderedMessage {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** The mail templates: `<name>.subject.hbs`, `<name>.html.hbs` and `<name>.txt.hbs` per message kind. */
export class MailTemplates {
  private readonly templates: ReadonlyMap<string, { subject: Compiled; html: Compiled; text: Compiled }>;

  private constructor(templates: ReadonlyMap<string, { subject: Compiled; html: Compiled; text: Compiled }>) {
    this.templates = templates;
  }

  static async load(dir: string = DEFAULT_TEMPLATES_DIR): Promise<MailTemplates> {
    const hbs = Handlebars.create();
    hbs.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
    hbs.registerHelper('s', (n: unknown) => (Number(n) === 1 ? '' : 's'));
    const templates = new Map<string, { subject: Compiled; html: Compiled; text: Compiled }>();
    for (const name of TEMPLATE_NAMES) {
      const read = (part: string) => readFile(path.join(dir, `${name}.${part}.hbs`), 'utf8');
      const [subject, html, text] = await Promise.all([read('subject'), read('html'), read('txt')]);
      // Compiled now, not on first use: a broken template fails at start-up, and no cycle pays for compiling.
      const compile = (source: string, options: PrecompileOptions, part: string): Compiled => {
        try {
          return hbs.template(
            new Function(`return ${hbs.precompile(source, options)}`)() as ReturnType<typeof Handlebars.precompile>,
          );
        } catch (error) {
          throw new Error(
            `The mail template ${path.join(dir, `${name}.${part}.hbs`)} does not compile: ${String(error)}`,
            { cause: error },
          );
        }
      };
      templates.set(name, {
        // HTML escapes every value; the subject and the plain-text part are not HTML, so they are not escaped.
        subject: compile(subject, { noEscape: true, strict: true }, 'subject'),
        html: compile(html, { strict: false }, 'html'),
        text: compile(text, { noEscape: true }, 'txt'),
      });
    }
    return new MailTemplates(templates);
  }

  /** The whole message; `subject` saves rendering it again where the caller already has it. */
  render(notification: Pick<PlannedNotification, 'template' | 'data'>, subject?: string): RenderedMessage {
    const template = this.template(notification.template);
    // Planned messages make their data when asked (see DigestNotice): once for the whole message.
    const data = notification.data;
    return {
      subject: subject ?? headerLine(template.subject(data)),
      html: template.html(data),
      text: template.text(data),
    };
  }

  /** The subject alone, as `render` gives it. */
  subject(notification: Pick<PlannedNotification, 'template' | 'data'>): string {
    return headerLine(this.template(notification.template).subject(notification.data));
  }

  private template(name: string): { subject: Compiled; html: Compiled; text: Compiled } {
    const template = this.templates.get(name);
    if (!template) throw new Error(`No mail template named ${name}`);
    return template;
  }
}

/** A subject is one header line: newlines from a value must never start a new header. */
function headerLine(subject: string): string {
  return subject.replace(/\s+/g, ' ').trim();
}
