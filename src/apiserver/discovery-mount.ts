// Mounts discovery and OpenAPI on the server's non-resource paths.
import type { KindRegistry } from '../api/registry.js';
import { discoveryReply as discovery, versionInfo } from './discovery.js';
import { openapiReply as openapi } from './openapi.js';

export { versionInfo };

export function discoveryReply(reg: KindRegistry, path: string, accept: string | undefined, serverAddress: string, ifNoneMatch?: string) {
  return discovery(reg, path, accept, { serverAddress, ifNoneMatch });
}

export function openapiReply(reg: KindRegistry, pathWithQuery: string, accept: string | undefined, ifNoneMatch?: string) {
  return openapi(reg, pathWithQuery, accept, { ifNoneMatch });
}
