import type { Button, Reply } from '../chat/reply.js';

// Terminal escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ST`, and two-byte `ESC x`), then
// any control character left but newline and tab, DEL, the C1 range, and the bidirectional
// overrides that reorder what a line appears to say. Outside text could otherwise recolour the
// terminal, move the cursor, retitle the window or hide a line.
const ESCAPE_SEQUENCES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?/g;
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text as the terminal should print it: no escape sequences, no control characters but \n and \t. */
export function stripControlCharacters(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '').replace(CONTROL_CHARACTERS, '');
}

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
  // The bot's own text has no control characters, so the whole rendering is cleaned in one pass.
  return { text: stripControlCharacters(lines.join('\n')), choices };
}
