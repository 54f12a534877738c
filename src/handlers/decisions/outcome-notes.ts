/**
 * The sentences a decision's reply adds when the decision itself went through but something after it
 * did not: the bot's own record, or the chat message the button sat on. The decision's outcome and
 * the fate of the message about it are reported separately.
 */
export function afterDecisionNotes(outcome: { recorded: boolean; redrawn?: boolean }): string {
  const notes: string[] = [];
  if (!outcome.recorded) {
    notes.push("Atmosphere has applied it, but the bot's database did not answer: the bot completes its own record of this decision (history and audit) by itself once the database is back.");
  }
  if (outcome.redrawn === false) notes.push('The message could not be redrawn, so its buttons may still show; clicking them does nothing twice.');
  return notes.length === 0 ? '' : `\n${notes.join('\n')}`;
}
