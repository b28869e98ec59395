// Turns a URL into Kubernetes' RequestInfo: API group/version, namespace, resource, name,
// subresource and verb (the same rules as k8s.io/apiserver's RequestInfoFactory).

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string; // get list watch create update patch delete deletecollection (or lowercase HTTP method for non-resource)
  apiPrefix: 'api' | 'apis' | '';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
  query: URLSearchParams;
}

const namespaceSubresources = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, rawUrl: string): RequestInfo {
  const url = new URL(rawUrl, 'http://x');
  const path = url.pathname;
  const query = url.searchParams;
  const info: RequestInfo = { isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', group: '', version: '', namespace: '', resource: '', subresource: '', name: '', parts: [], query };
  let parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts[0] !== 'api' && parts[0] !== 'apis') return info;
  info.apiPrefix = parts[0] as 'api' | 'apis';
  parts = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    if (parts.length < 3) return info; // /apis, /apis/g, /apis/g/v are discovery
    info.group = parts[0];
    parts = parts.slice(1);
  } else if (parts.length < 2) return info; // /api, /api/v1
  info.version = parts[0];
  parts = parts.slice(1);
  info.isResourceRequest = true;
  const m = method.toUpperCase();
  switch (m) {
    case 'POST':
      info.verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      info.verb = 'get';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = 'delete';
      break;
    default:
      info.verb = '';
  }
  if (parts[0] === 'namespaces' && parts.length > 1) {
    info.namespace = parts[1];
    if (parts.length > 2 && !namespaceSubresources.has(parts[2])) parts = parts.slice(2);
  }
  info.parts = parts;
  info.resource = parts[0] ?? '';
  if (parts.length >= 2) info.name = parts[1];
  if (parts.length >= 3) info.subresource = parts[2];
  // /api/v1/namespaces/foo is the namespace resource itself, not a namespaced request
  if (info.resource === 'namespaces') info.namespace = '';
  if (!info.name && info.verb === 'get') {
    const w = query.get('watch');
    info.verb = w === 'true' || w === '1' ? 'watch' : 'list';
  } else if (info.verb === 'get' && (query.get('watch') === 'true' || query.get('watch') === '1')) {
    info.verb = 'watch';
  }
  if (!info.name && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}
