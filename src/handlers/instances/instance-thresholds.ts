import type { Config } from '../../config.js';

type ThresholdConfig = Pick<Config, 'INSTANCE_NETWORKING_STUCK_MINUTES' | 'INSTANCE_NETWORKING_STUCK_BY_PROVIDER' | 'INSTANCE_DEPLOYING_STUCK_MINUTES'>;

/** The stuck thresholds for an instance on this provider: a per-provider networking value (by id or name) wins. */
export function instanceThresholds(config: ThresholdConfig, provider: { id: number; name: string }): { networkingStuckMinutes: number; deployingStuckMinutes: number } {
  const name = provider.name.trim().toLowerCase();
  const own = config.INSTANCE_NETWORKING_STUCK_BY_PROVIDER.find(
    (entry) => entry.provider === String(provider.id) || entry.provider.trim().toLowerCase() === name,
  );
  return {
    networkingStuckMinutes: own?.minutes ?? config.INSTANCE_NETWORKING_STUCK_MINUTES,
    deployingStuckMinutes: config.INSTANCE_DEPLOYING_STUCK_MINUTES,
  };
}
