import { describe, expect, it } from 'vitest';
import { isDockerHubImageName } from '../../src/model/docker-image-name.js';

describe('isDockerHubImageName', () => {
  it('takes namespace/repository with single separators', () => {
    for (const name of ['cyverse/atmosphere', 'cyverse/troposphere', 'my-org/atmo_bot.v2', 'a1/b2']) {
      expect(isDockerHubImageName(name), name).toBe(true);
    }
  });

  it('refuses a tag, a registry host, capitals, a missing namespace and doubled separators', () => {
    for (const name of ['cyverse/atmosphere:v37-5', 'docker.io/cyverse/atmosphere', 'CyVerse/atmosphere', 'atmosphere', 'cyverse/atmo--sphere', 'cyverse/-atmosphere', '']) {
      expect(isDockerHubImageName(name), name).toBe(false);
    }
  });
});
