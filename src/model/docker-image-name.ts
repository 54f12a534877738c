/**
 * A Docker Hub repository as `namespace/repository`: lower-case letters and digits, with single `.`, `_`
 * or `-` between them (Docker's reference grammar for a path component), no registry host, no tag.
 */
const DOCKER_HUB_IMAGE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*\/[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Whether `name` is a Docker Hub image name such as `cyverse/atmosphere`. */
export function isDockerHubImageName(name: string): boolean {
  return DOCKER_HUB_IMAGE.test(name);
}
