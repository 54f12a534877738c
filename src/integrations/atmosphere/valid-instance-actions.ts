/**
 * Which instance actions Atmosphere allows for a status and activity: `InstanceAction.valid_instance_actions`
 * (cyverse/atmosphere core/models/instance_action.py, v37). `initializing`, `networking` and `deploying`
 * count as active; Terminate, Reboot and Hard Reboot are always offered; Redeploy only while active;
 * the rest only for a green-light active instance or the matching settled state. The provider may
 * disable some (`provider_instance_action.enabled`), which the embedded mode does not model.
 */
export function validInstanceActions(status: string, activity: string | null): string[] {
  const effective = ['initializing', 'networking', 'deploying'].includes(status) ? 'active' : status;
  const actions = ['Terminate', 'Reboot', 'Hard Reboot'];
  if (effective === 'active') {
    actions.push('Redeploy');
    if (!activity) actions.push('Resize', 'Shelve', 'Suspend', 'Stop', 'Imaging');
  } else if (effective === 'suspended') {
    actions.push('Resume');
  } else if (effective === 'shutoff') {
    actions.push('Start');
  } else if (effective === 'shelved') {
    actions.push('Shelve Offload', 'Unshelve');
  } else if (effective === 'verify_resize') {
    actions.push('Revert Resize', 'Confirm Resize');
  }
  return actions;
}
