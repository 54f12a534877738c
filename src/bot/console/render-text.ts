import type { Button, Reply } from '../chat/reply.js';

/**
 * Plain-text rendering for the console: every button becomes a numbered choice. `nextNumber` is the
 * first number to use, so numbers stay unique across the session and an old choice still works.
 */
export function renderText(reply: Reply, nextNumber: number): { text: string; choices: { number: number; button: Button }[] } {
  const lines: string[] = [];
  const choices: { number: number; button: Button }[] = [];
  let number = nextNumber;
  const addButtons = (buttons: readonly Button[] | undefined, indent: string) => {
    if (!buttons || buttons.length === 0) return;
    lines.push(
      indent +
        buttons
          .map((button) => {
            choices.push({ number, button });
            return `[${number++}] ${button.label}`;
          })
          .join('   '),
    );
  };
  if (reply.title) lines.push(`== ${reply.title} ==`);
  lines.push(reply.text);
  for (const field of reply.fields ?? []) {
    const value = field.value.includes('\n') ? `\n    ${field.value.split('\n').join('\n    ')}` : ` ${field.value}`;
    lines.push(`  ${field.label}:${value}`);
  }
  for (const section of reply.sections ?? []) {
    lines.push('');
    lines.push(...section.text.split('\n').map((line) => `  ${line}`));
    for (const field of section.fields ?? []) lines.push(`    ${field.label}: ${field.value}`);
    addButtons(section.buttons, '  ');
  }
  addButtons(reply.buttons, '');
  if (reply.footer) lines.push(`-- ${reply.footer}`);
  return { text: lines.join('\n'), choices };
}
