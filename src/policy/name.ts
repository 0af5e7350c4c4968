/** A policy's name: the file `policies/<name>.yaml`, the POLICY setting, `POST /runs {"policy"}`, `/keywarden run <name>`. */
export const POLICY_NAME = /^[a-z0-9][a-z0-9-]*$/;
