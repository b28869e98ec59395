// apiregistration.k8s.io/v1: APIService (aggregated API registration).
import { define, str, int32, bool, obj, arr, ref, kindSchema, bytes } from '../schema.js';
import type { ResourceDescriptor } from '../descriptor.js';
import { type FieldError, invalid, required } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPortNum } from '../validation.js';
import { isObj, list, isSet, conditionSchema, nameColumn, ageColumn, col, age } from './misc-helpers.js';

const P = 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1';

define(`${P}.ServiceReference`, obj({ namespace: str('Namespace of the Service.'), name: str('Name of the Service.'), port: int32('Port of the Service (default 443).') }, 'The Service that serves an aggregated API.'));
define(`${P}.APIServiceSpec`, obj({
  service: ref(`${P}.ServiceReference`, 'Service that serves the API; unset means the API is served by this server itself.'),
  group: str('API group served.'),
  version: str('API version served.'),
  insecureSkipTLSVerify: bool('Skip verifying the serving certificate of the Service. Discouraged.'),
  caBundle: bytes('PEM CA bundle that verifies the serving certificate of the Service.'),
  groupPriorityMinimum: int32('Priority of the group in discovery; higher comes first (1 to 20000).'),
  versionPriority: int32('Priority of this version within its group; higher comes first (1 to 1000).'),
}, 'Where and how an API version is served.', { required: ['groupPriorityMinimum', 'versionPriority'] }));
define(`${P}.APIServiceCondition`, conditionSchema('A condition of an APIService (type Available).'));
define(`${P}.APIServiceStatus`, obj({ conditions: arr(ref(`${P}.APIServiceCondition`), 'Current conditions.', { listType: 'map', mapKeys: ['type'], mergeKey: 'type', strategy: 'merge' }) }, 'Availability of the API.'));
const apiServiceV1 = kindSchema(`${P}.APIService`, [{ group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService' }], 'Registers an API group version and the server that serves it. Named <version>.<group>.', {
  spec: ref(`${P}.APIServiceSpec`, 'Where the API is served.'),
  status: ref(`${P}.APIServiceStatus`, 'Whether the API is available.'),
});

export function validateAPIService(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = isObj(o.spec) ? o.spec : {};
  const group: string = spec.group ?? '';
  const version: string = spec.version ?? '';
  const requiredName = `${version}.${group}`;
  const name = o.metadata.name ?? '';
  if (name && name !== requiredName) errs.push(invalid('metadata.name', name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`));
  if (!group && version !== 'v1') errs.push(required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(invalid('spec.group', group, m));
  for (const m of isDNS1035Label(version)) errs.push(invalid('spec.version', version, m));
  const gpm = spec.groupPriorityMinimum ?? 0;
  if (gpm <= 0 || gpm > 20000) errs.push(invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = spec.versionPriority ?? 0;
  if (vp <= 0 || vp > 1000) errs.push(invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
  const caLen = typeof spec.caBundle === 'string' ? Buffer.from(spec.caBundle, 'base64').length : 0;
  if (!isObj(spec.service)) {
    if (caLen) errs.push(invalid('spec.caBundle', `${caLen} bytes`, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  if (!spec.service.namespace) errs.push(required('spec.service.namespace'));
  if (!spec.service.name) errs.push(required('spec.service.name'));
  const port = spec.service.port ?? 0;
  const pe = isValidPortNum(port);
  if (pe.length) errs.push(invalid('spec.service.port', port, `port is not valid: ${pe.join(', ')}`));
  if (spec.insecureSkipTLSVerify && caLen) errs.push(invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errs;
}

export function apiServiceAvailable(o: KubeObject): string {
  const c = list(o.status?.conditions).find((x: any) => x?.type === 'Available');
  if (!c) return 'Unknown';
  if (c.status === 'True') return 'True';
  return c.reason ? `${c.status} (${c.reason})` : String(c.status ?? '');
}

export const apiService: ResourceDescriptor = {
  group: 'apiregistration.k8s.io',
  kind: 'APIService',
  plural: 'apiservices',
  singular: 'apiservice',
  namespaced: false,
  storageVersion: 'v1',
  versions: [{ version: 'v1' }],
  schema: apiServiceV1,
  categories: ['api-extensions'],
  nameValidation: 'path',
  subresources: { status: true },
  defaults(o) {
    if (isObj(o.spec?.service) && !isSet(o.spec.service.port)) o.spec.service.port = 443;
  },
  validate: validateAPIService,
  validateUpdate: (o, _old, ctx) => (ctx.subresource === 'status' ? [] : validateAPIService(o)),
  table: {
    columns: [nameColumn, col('Service', 'The Service that serves the API, or Local.'), col('Available', 'Whether the API is available.'), ageColumn],
    row: (o, now) => [o.metadata.name, isObj(o.spec?.service) ? `${o.spec.service.namespace ?? ''}/${o.spec.service.name ?? ''}` : 'Local', apiServiceAvailable(o), age(o.metadata.creationTimestamp, now)],
  },
};

export const descriptors: ResourceDescriptor[] = [apiService];
