import type { Config } from '../../config.js';
import { emulationUrl } from '../emulation-url.js';
import type { InstanceTriage } from './classify-instance.js';

/** What the tools need to know about an instance. */
export interface ToolSubject {
  username: string;
  /** `instance.provider_alias`: the OpenStack server id Atmosphere, Flower and Argo know it by. */
  uuid: string;
  ip: string | null;
}

type ToolConfig = Pick<Config, 'ATMOSPHERE_WEB_URL' | 'FLOWER_URL' | 'ARGO_NAMESPACE' | 'INSTANCE_DEPLOY_LOG_DIR'>;

/** The emulation page, Flower search, deploy log folder and Argo commands for one instance, filled in. */
export interface InstanceTools {
  emulate: string;
  flower: string;
  deployLog: string;
  tailLog: string;
  argoList: string;
  /** `argo get` of the newest workflow: its steps and the failed one's message. */
  argoGet: string;
  argoLogs: string;
  nova: string;
}

/**
 * The staff guide's tools for one instance. Argo labels deployment workflows with `instance_uuid`
 * and `username` since v37-3; the deploy logs sit under `<dir>/<USERNAME>/<INSTANCE_UUID>/<date>/`
 * once a workflow has finished; Flower's Tasks tab searches by instance id or username.
 */
export function instanceTools(config: ToolConfig, subject: ToolSubject): InstanceTools {
  const ns = config.ARGO_NAMESPACE;
  const list = `argo list -n ${ns} -l instance_uuid=${subject.uuid}`;
  const folder = `${config.INSTANCE_DEPLOY_LOG_DIR.replace(/\/+$/, '')}/${subject.username}/${subject.uuid}/`;
  const emulate = emulationUrl(config.ATMOSPHERE_WEB_URL, subject.username);
  const flower = config.FLOWER_URL
    ? `${config.FLOWER_URL.replace(/\/+$/, '')}/tasks (search for ${subject.uuid}, or ${subject.username})`
    : `Flower's Tasks tab on the Atmosphere server (search for ${subject.uuid}, or ${subject.username}); set FLOWER_URL for a link`;
  return {
    emulate: emulate ?? `Troposphere /application/emulate/${subject.username} (set ATMOSPHERE_WEB_URL for a link)`,
    flower,
    deployLog: folder,
    tailLog: `tail -f ${folder}<DEPLOYMENT_DATE_TIME>/<step>.log | grep ${subject.ip ?? subject.uuid}`,
    argoList: list,
    argoGet: `argo get -n ${ns} $(${list} -o name | head -n 1)`,
    argoLogs: `argo logs -n ${ns} $(${list} -o name | head -n 1)`,
    nova: `nova show ${subject.uuid}`,
  };
}

/** The tool lines a triage points at, one per line, for a message field. */
export function toolLines(triage: InstanceTriage, tools: InstanceTools): string[] {
  const lines: string[] = [];
  if (triage.tools.nova) lines.push(`Fault: \`${tools.nova}\``);
  if (triage.tools.emulate) lines.push(`Emulate: ${tools.emulate}`);
  if (triage.tools.flower) lines.push(`Flower: ${tools.flower}`);
  if (triage.tools.argo) lines.push(`Argo: \`${tools.argoList}\``, `Argo logs: \`${tools.argoLogs}\``);
  if (triage.tools.deployLog) lines.push(`Deploy logs: ${tools.deployLog}`);
  return lines;
}
