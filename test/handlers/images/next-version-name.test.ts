import { describe, expect, it } from 'vitest';
import { nextVersionName } from '../../../src/handlers/images/next-version-name.js';

describe('the next free version name', () => {
  it('keeps a name nobody uses in the application', () => {
    expect(nextVersionName('1.0', ['2.0'])).toEqual({ name: '1.0', free: true });
  });

  it('proposes the minor after the highest numbered version when the name is taken', () => {
    expect(nextVersionName('1.0', ['1.0'])).toEqual({ name: '1.1', free: false });
    expect(nextVersionName('1.0', ['1.0', '1.1', '1.3', '0.9'])).toEqual({ name: '1.4', free: false });
    expect(nextVersionName('1.0', ['1.0', '2.9', '10.2'])).toEqual({ name: '10.3', free: false });
  });

  it('starts from 1.1 when no version there is numbered, skipping names in use', () => {
    expect(nextVersionName('CUDA', ['CUDA', 'GPU'])).toEqual({ name: '1.1', free: false });
    expect(nextVersionName('beta', ['beta', '1.1 '.trim()])).toEqual({ name: '1.2', free: false });
  });
});
