import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandEvent, createTestContext, dispatch, type TestContext } from '../../support/test-deps.js';
import { emulationUrl } from '../../../src/handlers/emulation-url.js';
import { requestIdOf } from '../../e2e/e2e-support.js';

describe('emulation links', () => {
  it('builds Troposphere\u2019s emulation URL, or nothing when no web URL is configured', () => {
    expect(emulationUrl('https://atmo.example.org/', 'a.b+c')).toBe('https://atmo.example.org/application/emulate/a.b%2Bc');
    expect(emulationUrl(undefined, 'jsmith')).toBeUndefined();
  });

  describe('in the request views', () => {
    let t: TestContext;
    beforeAll(async () => {
      t = await createTestContext('pglite', { env: { ATMOSPHERE_WEB_URL: 'https://atmo.example.org' } });
    });
    afterAll(async () => {
      await t?.database.drop();
    });

    it('links staff to the requester\u2019s view of Atmosphere from a resource request and an imaging request', async () => {
      const staff = { id: 'op', actingAs: 'kpatel' };
      const resource = (await dispatch(t.dispatcher, commandEvent(`request ${await requestIdOf(t.deps.db, 'rnguyen')}`, staff))).replies[0]!;
      expect(resource.fields).toContainEqual({ label: 'Emulate requester', value: 'https://atmo.example.org/application/emulate/rnguyen' });
      const imaging = (await dispatch(t.dispatcher, commandEvent('imaging show 1', staff))).replies[0]!;
      expect(imaging.fields?.find((f) => f.label === 'Emulate owner')?.value).toMatch(/^https:\/\/atmo\.example\.org\/application\/emulate\/\w+$/);
    });
  });
});
