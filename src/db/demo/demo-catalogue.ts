import { createHash } from 'node:crypto';
import type { InstanceStatusExtra } from '../atmosphere-schema.js';

// The demo cloud's rows for embedded mode, as data: providers, users, images, instances and requests.
// Sources: the staff guide (request and imaging triage, its real error texts), Atmosphere's fixtures
// (provider types, the small quota) and Troposphere's mock data (provider names, m1.medium = 6 CPU/16 GB).
// The seed-*.ts files beside it turn them into rows.

/** A stable uuid (v5 layout) derived from a label, so reseeding gives the same public identifiers. */
export function demoUuid(label: string): string {
  const hex = createHash('sha1').update(`atmo-bot demo:${label}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export type ProviderKey = 'tucson' | 'iu' | 'tacc';
export type QuotaKey = 'default' | 'small' | 'course';
export type VmState = 'active' | 'networking' | 'deploying' | 'deploy_error' | 'suspended' | 'shutoff' | 'error';

export const HOUR = 3_600_000;
export const DAY = 24;

export const PROVIDERS: { key: ProviderKey; location: string; description: string; timezone: string; dns: string[]; ageDays: number }[] = [
  { key: 'tucson', location: 'CyVerse Cloud - Tucson', description: 'CyVerse OpenStack cloud at the University of Arizona', timezone: 'America/Phoenix', dns: ['128.196.11.233', '128.196.11.234'], ageDays: 2200 },
  { key: 'iu', location: 'Jetstream - Indiana University', description: 'Jetstream cloud at Indiana University, Bloomington', timezone: 'America/Indiana/Indianapolis', dns: ['149.165.168.14'], ageDays: 1900 },
  { key: 'tacc', location: 'Jetstream - TACC', description: 'Jetstream cloud at the Texas Advanced Computing Center, Austin', timezone: 'America/Chicago', dns: ['129.114.97.1'], ageDays: 1900 },
];

export interface DemoUser {
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  staff?: boolean;
  superuser?: boolean;
  joinedDaysAgo: number;
  lastLoginHoursAgo: number;
  /** End-dated (disabled) this many days ago. */
  disabledDaysAgo?: number;
  project: string;
  accounts: { provider: ProviderKey; quota?: QuotaKey }[];
}

export const USERS: DemoUser[] = [
  { username: 'mdelgado', firstName: 'Maria', lastName: 'Delgado', email: 'mdelgado@cyverse.org', staff: true, joinedDaysAgo: 1900, lastLoginHoursAgo: 2, project: 'Staff testing', accounts: [{ provider: 'tucson' }, { provider: 'iu' }] },
  { username: 'kpatel', firstName: 'Kiran', lastName: 'Patel', email: 'kpatel@cyverse.org', staff: true, superuser: true, joinedDaysAgo: 2150, lastLoginHoursAgo: 20, project: 'Image catalogue', accounts: [{ provider: 'tucson' }, { provider: 'tacc' }] },
  { username: 'jsmith', firstName: 'John', lastName: 'Smith', email: 'jsmith@example.edu', joinedDaysAgo: 420, lastLoginHoursAgo: 3, project: 'Genomics workshop', accounts: [{ provider: 'tucson' }] },
  // Two live accounts of one person whose e-mails differ only by case: an e-mail link must refuse them.
  { username: 'alee', firstName: 'Alex', lastName: 'Lee', email: 'A.Lee@example.edu', joinedDaysAgo: 800, lastLoginHoursAgo: 30, project: 'Thesis simulations', accounts: [{ provider: 'tucson', quota: 'small' }, { provider: 'iu' }] },
  { username: 'alee2', firstName: 'Alex', lastName: 'Lee', email: 'a.lee@example.edu', joinedDaysAgo: 35, lastLoginHoursAgo: 19, project: 'Docker builds', accounts: [{ provider: 'iu' }] },
  { username: 'rnguyen', firstName: 'Rosa', lastName: 'Nguyen', email: 'rnguyen@email.arizona.edu', joinedDaysAgo: 610, lastLoginHoursAgo: 5, project: 'QIIME2 course', accounts: [{ provider: 'tucson', quota: 'course' }, { provider: 'tacc' }] },
  { username: 'tgarcia', firstName: 'Tomas', lastName: 'Garcia', email: 'tgarcia@iu.edu', joinedDaysAgo: 300, lastLoginHoursAgo: 50, project: 'MPI benchmarks', accounts: [{ provider: 'iu' }] },
  { username: 'dchen', firstName: 'David', lastName: 'Chen', email: 'dchen@tacc.utexas.edu', joinedDaysAgo: 150, lastLoginHoursAgo: 1, project: 'De novo assembly', accounts: [{ provider: 'tacc' }, { provider: 'iu' }] },
  { username: 'pwright', firstName: 'Priya', lastName: 'Wright', email: 'pwright@example.org', joinedDaysAgo: 90, lastLoginHoursAgo: 8, project: 'Intro to Linux', accounts: [{ provider: 'tucson' }] },
  { username: 'bokafor', firstName: 'Bola', lastName: 'Okafor', email: 'bokafor@example.edu', joinedDaysAgo: 1500, lastLoginHoursAgo: 0, disabledDaysAgo: 45, project: 'NGS pipeline', accounts: [{ provider: 'tucson' }] },
];

export interface DemoImage {
  key: string;
  name: string;
  description: string;
  owner: string;
  providers: ProviderKey[];
  version: string;
  changeLog: string;
  ageDays: number;
  sizeGb: number;
}

export const IMAGES: DemoImage[] = [
  { key: 'ubuntu18', name: 'Ubuntu 18.04 NoGUI Base', description: 'Base Ubuntu 18.04 LTS with no desktop; iRODS icommands preinstalled.', owner: 'kpatel', providers: ['tucson', 'iu', 'tacc'], version: '1.0', changeLog: 'Initial release', ageDays: 900, sizeGb: 8 },
  { key: 'centos7', name: 'CentOS 7 (7.8) Development GUI', description: 'CentOS 7.8 with the MATE desktop and development tools.', owner: 'kpatel', providers: ['tucson', 'iu'], version: '7.8', changeLog: 'Updated to CentOS 7.8', ageDays: 700, sizeGb: 20 },
  { key: 'ubuntu20', name: 'Ubuntu 20.04 Devel and Docker', description: 'Ubuntu 20.04 with build tools, Docker CE and docker-compose.', owner: 'mdelgado', providers: ['iu', 'tacc'], version: '1.2', changeLog: 'Docker 20.10', ageDays: 400, sizeGb: 12 },
  { key: 'rstudio', name: 'RStudio Server 4.0 with Bioconductor', description: 'R 4.0, RStudio Server and Bioconductor 3.12.', owner: 'rnguyen', providers: ['tucson'], version: '1.0', changeLog: 'Initial release', ageDays: 250, sizeGb: 15 },
  // The results of the two completed imaging requests below.
  { key: 'trinity28', name: 'Trinity 2.8 RNA-Seq', description: 'Trinity 2.8.5 de novo transcriptome assembly with Salmon and RSEM.', owner: 'dchen', providers: ['tacc'], version: '1.0', changeLog: 'Imaged from trinity-assembly', ageDays: 20, sizeGb: 25 },
  { key: 'rstudio36', name: 'RStudio Server 3.6 Teaching', description: 'R 3.6 classroom image with tidyverse.', owner: 'rnguyen', providers: ['tucson'], version: '1.0', changeLog: 'Imaged from rstudio-class', ageDays: 60, sizeGb: 18 },
];

export interface DemoInstance {
  name: string;
  owner: string;
  provider: ProviderKey;
  image: string;
  size: string;
  ip: string | null;
  state: VmState;
  launchedHoursAgo: number;
  /** suspended/shutoff: when it left `active`. */
  changedHoursAgo?: number;
  gui?: boolean;
  fault?: InstanceStatusExtra;
}

// In `extra` the traceback is plain text (a JSON string), unlike the repr() inside machine_request.old_status.
export const DEPLOY_TRACEBACK = 'Traceback (most recent call last):\n  File "/opt/dev/atmosphere/service/tasks/driver.py", line 1059, in deploy\n    raise AnsibleDeployException(...)\nAnsibleDeployException: One or more playbooks failed to run on ';

export const INSTANCES: DemoInstance[] = [
  { name: 'staff-test-18.04', owner: 'mdelgado', provider: 'tucson', image: 'ubuntu18', size: 'm1.small', ip: '128.196.64.21', state: 'active', launchedHoursAgo: 30 * DAY },
  { name: 'jetstream-canary', owner: 'mdelgado', provider: 'iu', image: 'ubuntu18', size: 'm1.tiny', ip: '149.165.157.40', state: 'active', launchedHoursAgo: 2 * DAY },
  { name: 'genomics-ws-prep', owner: 'jsmith', provider: 'tucson', image: 'ubuntu18', size: 'm1.medium', ip: '128.196.64.57', state: 'active', launchedHoursAgo: 6 * DAY },
  // Stuck: the guide calls networking for more than 20 minutes stuck.
  { name: 'blast-runner', owner: 'jsmith', provider: 'tucson', image: 'centos7', size: 'm1.large', ip: '128.196.64.88', state: 'networking', launchedHoursAgo: 5, gui: true },
  { name: 'thesis-sim-01', owner: 'alee', provider: 'tucson', image: 'centos7', size: 'm1.small', ip: '128.196.64.102', state: 'active', launchedHoursAgo: 12 * DAY, gui: true },
  { name: 'thesis-sim-02', owner: 'alee', provider: 'iu', image: 'ubuntu20', size: 'm1.medium', ip: '149.165.157.91', state: 'deploying', launchedHoursAgo: 3 },
  {
    name: 'docker-dev', owner: 'alee2', provider: 'iu', image: 'ubuntu20', size: 'm1.small', ip: '149.165.157.133', state: 'deploy_error', launchedHoursAgo: 26,
    fault: { display_error: 'Deployment failed: playbook atmo-user-ssh-keys.yml could not reach 149.165.157.133 (UNREACHABLE)', traceback: `${DEPLOY_TRACEBACK}149.165.157.133\n` },
  },
  { name: 'rstudio-class', owner: 'rnguyen', provider: 'tucson', image: 'rstudio', size: 'm1.xlarge', ip: '128.196.64.140', state: 'active', launchedHoursAgo: 90 * DAY },
  { name: 'qiime-teaching', owner: 'rnguyen', provider: 'tacc', image: 'ubuntu18', size: 'm1.medium', ip: '129.114.17.62', state: 'suspended', launchedHoursAgo: 40 * DAY, changedHoursAgo: 10 * DAY },
  { name: 'hpc-bench', owner: 'tgarcia', provider: 'iu', image: 'centos7', size: 'm1.large', ip: '149.165.157.178', state: 'shutoff', launchedHoursAgo: 40 * DAY, changedHoursAgo: 5 * DAY, gui: true },
  { name: 'chem-md-gromacs', owner: 'tgarcia', provider: 'iu', image: 'ubuntu20', size: 'm1.large', ip: '149.165.157.201', state: 'active', launchedHoursAgo: 60 * DAY },
  { name: 'trinity-assembly', owner: 'dchen', provider: 'tacc', image: 'ubuntu20', size: 'm1.xlarge', ip: '129.114.17.105', state: 'active', launchedHoursAgo: 30 * DAY },
  // Nova put it in error straight away ("No valid host was found"): no IP, no extra.
  { name: 'gpu-test', owner: 'dchen', provider: 'tacc', image: 'ubuntu18', size: 'm1.large', ip: null, state: 'error', launchedHoursAgo: 2 },
  // Just launched: in networking, but not for long enough to count as stuck.
  { name: 'intro-to-linux', owner: 'pwright', provider: 'tucson', image: 'ubuntu18', size: 'm1.tiny', ip: '128.196.64.166', state: 'networking', launchedHoursAgo: 10 / 60 },
  { name: 'r-course-base', owner: 'pwright', provider: 'tucson', image: 'ubuntu18', size: 'm1.small', ip: '128.196.64.170', state: 'active', launchedHoursAgo: 45 * DAY },
  {
    name: 'workshop-docker', owner: 'pwright', provider: 'tucson', image: 'centos7', size: 'm1.small', ip: '128.196.64.181', state: 'deploy_error', launchedHoursAgo: 4 * DAY, gui: true,
    fault: { display_error: 'Deployment failed: playbook atmo-docker.yml: task "Install docker-ce" failed (No package docker-ce available.)', traceback: `${DEPLOY_TRACEBACK}128.196.64.181\n` },
  },
  { name: 'ngs-pipeline', owner: 'bokafor', provider: 'tucson', image: 'centos7', size: 'm1.medium', ip: '128.196.64.12', state: 'shutoff', launchedHoursAgo: 1200 * DAY, changedHoursAgo: 900 * DAY },
];

export interface DemoResourceRequest {
  user: string;
  status: 'pending' | 'approved' | 'denied' | 'closed';
  hoursAgo: number;
  request: string;
  description: string;
  adminMessage?: string;
  /** Denied and closed requests get an end date; approved ones do not (see the API's perform_update). */
  endedHoursAgo?: number;
}

export const RESOURCE_REQUESTS: DemoResourceRequest[] = [
  { user: 'jsmith', status: 'pending', hoursAgo: 3, request: 'cpu: 32, memory: 128 GB for a genomics workshop', description: 'I am teaching a two-day RNA-seq workshop for 25 graduate students next month; each student needs an m1.medium during the hands-on sessions.' },
  { user: 'alee', status: 'pending', hoursAgo: 2 * DAY, request: 'Allocation: 1000 AU', description: 'My thesis simulations used up this month\'s allocation and my committee meeting is in three weeks.' },
  { user: 'alee2', status: 'pending', hoursAgo: 20, request: 'cpu: 4, memory: 16 GB', description: 'A second small instance for Docker image builds.' },
  { user: 'rnguyen', status: 'pending', hoursAgo: 9 * DAY, request: 'storage: 2 TB, storage_count: 4', description: 'Our lab moved the 16S amplicon datasets off the campus cluster; the volumes hold the raw FASTQ files for the class.' },
  { user: 'tgarcia', status: 'pending', hoursAgo: 21 * DAY, request: 'cpu: 48, memory: 192 GB, instances: 6', description: 'Strong-scaling benchmark of an MPI molecular dynamics code across six m1.large instances for a paper revision.' },
  { user: 'rnguyen', status: 'approved', hoursAgo: 75 * DAY, request: 'cpu: 32, memory: 256 GB, storage: 500 GB for the spring QIIME2 course', description: 'Thirty students run QIIME2 on shared course instances.', adminMessage: 'Approved for the course: quota raised to 32 CPU / 256 GB / 500 GB.' },
  { user: 'dchen', status: 'approved', hoursAgo: 25 * DAY, request: 'Allocation: 5000 AU for Trinity assemblies', description: 'Assembling 12 transcriptomes; each run takes about 400 CPU hours on an m1.xlarge.', adminMessage: 'Approved. Please end-date instances you no longer use.' },
  { user: 'jsmith', status: 'denied', hoursAgo: 70 * DAY, endedHoursAgo: 68 * DAY, request: 'cpu: 128, memory: 1 TB', description: 'Whole-genome assembly of a 4 Gb plant genome.', adminMessage: '128 cores is beyond what we can give one user; please apply for an XSEDE allocation or use the HPC cluster.' },
  { user: 'pwright', status: 'denied', hoursAgo: 30 * DAY, endedHoursAgo: 29 * DAY, request: 'GPU instance (V100)', description: 'Deep learning examples for the Intro to Linux class.', adminMessage: 'This cloud has no GPU flavors; Jetstream2 will.' },
  { user: 'tgarcia', status: 'closed', hoursAgo: 50 * DAY, endedHoursAgo: 49 * DAY, request: 'cpu: 8', description: 'Testing a larger instance.', adminMessage: '' },
];

// old_status values in the v2 format `(<previous old_status>) - ERROR - <repr(result)> Exception:<repr(traceback)>`
// (service/tasks/machine.py machine_request_error), with the examples the staff guide gives.
export const TRACE_HEAD = String.raw`Traceback (most recent call last):\n  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py", line 240, in trace_task\n    R = retval = fun(*args, **kwargs)\n  File "/opt/env/atmo/local/lib/python2.7/site-packages/celery/app/trace.py", line 438, in __protected_call__\n    return self.run(*args, **kwargs)\n`;
export const PROCESSING_IMAGE = demoUuid('glance:processing-error');
export const SERVER_REF_IMAGE = demoUuid('glance:serverref-error');
export const SERVER_REF_SERVER = demoUuid('server:chem-md-gromacs');
export const IMAGING_NOW_IMAGE = demoUuid('glance:qiime-processing');

/** The error texts below, by name, so tests and docs can refer to them. */
export const DEMO_ERRORS = {
  maxInstances: String.raw`(validating) - ERROR - OverLimit("Maximum number of instances exceeded (HTTP 413) (Request-ID: req-5c2f1a8e-3b7d-4e21-9a0c-6f4d2b8e7a13)",) Exception:'` + TRACE_HEAD + String.raw`  File "service/tasks/machine.py", line 319, in validate_new_image\n    using_admin=True)\n  File "service/instance.py", line 959, in launch_machine_instance\n    name, userdata, network, **kwargs)\nOverLimit: Maximum number of instances exceeded (HTTP 413)\n'`,
  noneTypeId: `(processing - ${PROCESSING_IMAGE}) - ERROR - AttributeError("'NoneType' object has no attribute 'id'",) Exception:'` + TRACE_HEAD + String.raw`  File "service/instance.py", line 1014, in _launch_machine\n    **kwargs)\n  File "/opt/env/atmo/local/lib/python2.7/site-packages/rtwo/driver.py", line 176, in create_instance\n    return self._connection.create_node(*args, **kwargs)\n  File "/opt/env/atmo/local/lib/python2.7/site-packages/libcloud/compute/drivers/openstack.py", line 1363, in _create_args_to_params\n    server_params[\'imageRef\'] = kwargs.get(\'image\').id\nAttributeError: \'NoneType\' object has no attribute \'id\'\n'`,
  serverRef: `(processing - ${SERVER_REF_IMAGE}) - ERROR - BadRequest("Invalid input for field/attribute serverRef: server ${SERVER_REF_SERVER} does not exist (HTTP 400)",) Exception:'` + TRACE_HEAD + String.raw`  File "service/tasks/machine.py", line 233, in process_request\n    new_image_id = imaging_task.result\nBadRequest: serverRef does not exist (HTTP 400)\n'`,
  nbdMissing: String.raw`(pending) - ERROR - CalledProcessError(1, ['qemu-nbd', '-c', '/dev/nbd1', '/storage/imaging/intro-to-linux.qcow2'],) Exception:'` + TRACE_HEAD + String.raw`  File "/opt/env/atmo/local/lib/python2.7/site-packages/chromogenic/drivers/openstack.py", line 412, in mount_image\n    run_command(["qemu-nbd", "-c", nbd_device, image_path])\nCalledProcessError: qemu-nbd: Failed to open /dev/nbd1: No such file or directory (is the nbd module loaded?)\n'`,
  legacyImaging: String.raw`(imaging) Exception:'Traceback (most recent call last):\n  File "/opt/env/atmo/local/lib/python2.7/site-packages/chromogenic/drivers/eucalyptus.py", line 188, in create_image\n    download_dir, **kwargs)\nIOError: [Errno 28] No space left on device: \'/storage/imaging/ngs-pipeline.img\'\n'`,
} as const;

export interface DemoMachineRequest {
  instance: string;
  status: 'pending' | 'started' | 'processing' | 'validating' | 'completed' | 'denied' | 'closed';
  oldStatus: string;
  hoursAgo: number;
  name: string;
  description: string;
  visibility?: 'public' | 'private' | 'select';
  accessList?: string;
  version?: string;
  forked?: boolean;
  tags?: string;
  endedAfterMinutes?: number;
  /** Completed requests: the image they produced. */
  result?: string;
}

export const MACHINE_REQUESTS: DemoMachineRequest[] = [
  { instance: 'trinity-assembly', status: 'pending', oldStatus: 'pending', hoursAgo: 2, name: 'Trinity 2.11 RNA-Seq', description: 'Trinity 2.11 with Salmon 1.4 and BUSCO 5.', tags: 'rna-seq, assembly' },
  { instance: 'rstudio-class', status: 'pending', oldStatus: 'pending', hoursAgo: 26, name: 'RStudio 4.0 Bioconductor Workshop', description: 'Course image with the workshop datasets in /opt/data.', visibility: 'public' },
  { instance: 'genomics-ws-prep', status: 'pending', oldStatus: 'pending', hoursAgo: 3 * DAY, name: 'Genomics Workshop 2021', description: 'FastQC, Trimmomatic, HISAT2 and DESeq2 for the RNA-seq workshop.', visibility: 'select', accessList: "[u'rnguyen', u'alee']" },
  // Imaging right now (approved 50 minutes ago): since 2017 old_status stays 'pending' while imaging.
  { instance: 'staff-test-18.04', status: 'started', oldStatus: 'pending', hoursAgo: 50 / 60, name: 'Ubuntu 18.04 NoGUI Base', description: 'Security updates for the base image.', version: '1.1', forked: false, visibility: 'public' },
  // Stuck: started with no error text for many hours (prep_instance_for_snapshot has no error handler).
  { instance: 'thesis-sim-01', status: 'started', oldStatus: 'pending', hoursAgo: 30, name: 'Thesis MPI Environment', description: 'OpenMPI 4 and LAMMPS for thesis runs.' },
  { instance: 'qiime-teaching', status: 'processing', oldStatus: `processing - ${IMAGING_NOW_IMAGE}`, hoursAgo: 1.5, name: 'QIIME2 2021.2', description: 'QIIME2 2021.2 amplicon distribution.', visibility: 'public' },
  { instance: 'hpc-bench', status: 'validating', oldStatus: DEMO_ERRORS.maxInstances, hoursAgo: 2 * DAY, name: 'HPC Benchmark Suite', description: 'HPL, STREAM and OSU micro-benchmarks.' },
  { instance: 'jetstream-canary', status: 'processing', oldStatus: DEMO_ERRORS.noneTypeId, hoursAgo: 16, name: 'Jetstream Canary', description: 'Monitoring agent image for the staff canary.' },
  { instance: 'chem-md-gromacs', status: 'processing', oldStatus: DEMO_ERRORS.serverRef, hoursAgo: 5 * DAY, name: 'GROMACS 2020 MD', description: 'GROMACS 2020.4 built with OpenMPI.' },
  { instance: 'r-course-base', status: 'started', oldStatus: DEMO_ERRORS.nbdMissing, hoursAgo: 8, name: 'Intro to Linux Workshop', description: 'Shell exercises and sample data for the Intro to Linux class.' },
  { instance: 'ngs-pipeline', status: 'started', oldStatus: DEMO_ERRORS.legacyImaging, hoursAgo: 1100 * DAY, name: 'NGS Pipeline 2017', description: 'BWA, GATK 3.8 and Picard.' },
  { instance: 'trinity-assembly', status: 'completed', oldStatus: 'completed', hoursAgo: 20 * DAY, endedAfterMinutes: 75, name: 'Trinity 2.8 RNA-Seq', description: 'Trinity 2.8.5 de novo transcriptome assembly.', result: 'trinity28' },
  { instance: 'rstudio-class', status: 'completed', oldStatus: 'completed', hoursAgo: 60 * DAY, endedAfterMinutes: 110, name: 'RStudio Server 3.6 Teaching', description: 'R 3.6 classroom image.', result: 'rstudio36', visibility: 'public' },
  { instance: 'hpc-bench', status: 'denied', oldStatus: 'pending', hoursAgo: 30 * DAY, name: 'hpc-bench copy', description: 'Description Missing' },
  { instance: 'rstudio-class', status: 'closed', oldStatus: 'pending', hoursAgo: 42 * DAY, endedAfterMinutes: 2 * DAY * 60, name: 'RStudio test', description: 'Submitted by mistake.' },
];
