import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLog } from '../../src/db/bot-schema/audit-log.js';
import { sanitizeText } from '../../src/db/sanitize-text.js';
import { dbKinds } from '../support/databases.js';
import { actionEvent, commandEvent, createTestContext, dispatch, type TestContext } from '../support/test-deps.js';

describe('sanitizeText', () => {
  it.each([
    ['a\u0000b', 'a\uFFFDb'],
    ['lone high \uD83D end', 'lone high \uFFFD end'],
    ['lone low \uDE00 end', 'lone low \uFFFD end'],
    ['a pair 😀 stays', 'a pair 😀 stays'],
    ['\uDE00\uD83D', '\uFFFD\uFFFD'],
    ['plain', 'plain'],
  ])('%j becomes %j', (input, expected) => {
    expect(sanitizeText(input)).toBe(expected);
  });
});

for (const kind of dbKinds()) {
  describe(`audit rows of text Postgres cannot store (${kind})`, () => {
    let t: TestContext;
    beforeAll(async () => {
      t = await createTestContext(kind);
    });
    afterAll(async () => {
      await t.database.drop();
    });
    const rowOf = async (eventId: string) => (await t.deps.db.select().from(auditLog).where(eq(auditLog.eventId, eventId)))[0];

    it('keeps the row of a command containing U+0000, with the character replaced', async () => {
      const event = commandEvent('requests\u0000 --drop', { id: 'ops-nul', actingAs: 'kpatel' });
      await dispatch(t.dispatcher, event);
      const row = await rowOf(event.id);
      expect(row?.input).toBe('requests\uFFFD --drop');
      expect(t.logLines.filter((line) => line['msg'] === 'the database refused an audit row; it is kept here in the log instead')).toEqual([]);
    });

    it('keeps the row of a click whose value holds a lone surrogate, and of text cut through an emoji', async () => {
      const click = actionEvent('rr:approve', '12\uD83D', { id: 'ops-sur', actingAs: 'kpatel' });
      await dispatch(t.dispatcher, click);
      expect((await rowOf(click.id))?.input).toBe('12\uFFFD');
      // The audit keeps the first 4000 characters; the cut falls between the halves of an emoji.
      const long = commandEvent(`help ${'x'.repeat(3994)}😀`, { id: 'ops-long' });
      await dispatch(t.dispatcher, long);
      const row = await rowOf(long.id);
      expect(row?.input).toHaveLength(4000);
      expect(row?.input.endsWith('\uFFFD')).toBe(true);
    });
  });
}
