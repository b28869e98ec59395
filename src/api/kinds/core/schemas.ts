// Schemas of the core/v1 types, registered under Kubernetes' definition names
// (io.k8s.api.core.v1.*) so OpenAPI, kubectl explain, strict field validation and the
// strategic-merge engine all read the same shapes. List markers follow Kubernetes' OpenAPI.
import '../meta.js';
import { define, str, int32, int64, bool, bytes, obj, arr, ref, stringMap, mapOf, keyedList, setList, quantity, intOrString, time, microTime, kindSchema, type Schema } from '../../schema.js';

const C = 'io.k8s.api.core.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
type Props = Record<string, Schema>;
type Extra = Parameters<typeof obj>[2];

const def = (name: string, props: Props, description: string, extra: Extra = {}) => define(C + name, obj(props, description, extra));
export const coreRef = (name: string, description?: string) => ref(C + name, description);
const r = coreRef;
const strs = (description?: string) => arr(str(), description, { listType: 'atomic' });
const atomic = (items: Schema, description?: string) => arr(items, description, { listType: 'atomic' });
const resources = (description?: string) => mapOf(quantity(), description);
const atomicMap = (description?: string): Schema => ({ ...stringMap(description), 'x-kubernetes-map-type': 'atomic' });
const withStrategy = (s: Schema, strategy: string): Schema => ({ ...s, 'x-kubernetes-patch-strategy': strategy });
const byType = (items: Schema, description?: string) => keyedList(items, 'type', description);
const metaRef = (d = "Standard object's metadata.") => ref(META + 'ObjectMeta', d);
const listMeta = (d = "Standard list metadata.") => ref(META + 'ListMeta', d);
const selectorRef = (d?: string) => ref(META + 'LabelSelector', d);
const v1 = (kind: string) => [{ group: '', version: 'v1', kind }];

// ---------- references ----------
def('LocalObjectReference', { name: str('Name of the referenced object in the same namespace.') }, 'Points at an object in the same namespace by name.', { 'x-kubernetes-map-type': 'atomic' });
def('ObjectReference', {
  apiVersion: str('API version of the referent.'),
  kind: str('Kind of the referent.'),
  name: str('Name of the referent.'),
  namespace: str('Namespace of the referent.'),
  uid: str('UID of the referent.'),
  resourceVersion: str('The referent\'s resourceVersion this reference was made against, if any.'),
  fieldPath: str('A path inside the referent (e.g. spec.containers{name}) when only part of it is meant.'),
}, 'A full reference to another object.', { 'x-kubernetes-map-type': 'atomic' });
def('SecretReference', { name: str('Name of the secret.'), namespace: str('Namespace of the secret.') }, 'Points at a Secret in any namespace.', { 'x-kubernetes-map-type': 'atomic' });
def('TypedLocalObjectReference', { apiGroup: str('API group of the referent; empty for the core group.'), kind: str('Kind of the referent.'), name: str('Name of the referent.') }, 'Points at an object of any kind in the same namespace.', { required: ['kind', 'name'], 'x-kubernetes-map-type': 'atomic' });
def('TypedObjectReference', { apiGroup: str('API group of the referent; empty for the core group.'), kind: str('Kind of the referent.'), name: str('Name of the referent.'), namespace: str('Namespace of the referent, when it differs from the referrer\'s.') }, 'Points at an object of any kind, possibly in another namespace.', { required: ['kind', 'name'] });

// ---------- env ----------
def('ObjectFieldSelector', { apiVersion: str('Version of the schema fieldPath is written in; defaults to v1.'), fieldPath: str('Path of the field to select.') }, 'Selects a field of the pod.', { required: ['fieldPath'], 'x-kubernetes-map-type': 'atomic' });
def('ResourceFieldSelector', { containerName: str('Container whose resource is read; required for volumes.'), resource: str('The resource to select, e.g. limits.cpu.'), divisor: quantity('Output unit; defaults to 1.') }, 'Selects a container resource limit or request.', { required: ['resource'], 'x-kubernetes-map-type': 'atomic' });
def('ConfigMapKeySelector', { name: str('Name of the ConfigMap.'), key: str('The key to read.'), optional: bool('Whether the ConfigMap or key may be missing.') }, 'Selects one key of a ConfigMap.', { required: ['key'], 'x-kubernetes-map-type': 'atomic' });
def('SecretKeySelector', { name: str('Name of the Secret.'), key: str('The key to read.'), optional: bool('Whether the Secret or key may be missing.') }, 'Selects one key of a Secret.', { required: ['key'], 'x-kubernetes-map-type': 'atomic' });
def('EnvVarSource', {
  fieldRef: r('ObjectFieldSelector', 'A pod field: metadata.name, metadata.namespace, metadata.labels[\'<KEY>\'], spec.nodeName, status.podIP, ...'),
  resourceFieldRef: r('ResourceFieldSelector', 'A resource of the container: limits.cpu, requests.memory, ...'),
  configMapKeyRef: r('ConfigMapKeySelector', 'A key of a ConfigMap in the pod\'s namespace.'),
  secretKeyRef: r('SecretKeySelector', 'A key of a Secret in the pod\'s namespace.'),
}, 'Where an environment variable\'s value comes from.');
def('EnvVar', { name: str('Variable name; must be a C_IDENTIFIER-like string.'), value: str('Literal value; $(VAR) references to earlier variables are expanded.'), valueFrom: r('EnvVarSource', 'Source of the value when value is empty.') }, 'An environment variable of a container.', { required: ['name'] });
def('ConfigMapEnvSource', { name: str('Name of the ConfigMap.'), optional: bool('Whether the ConfigMap may be missing.') }, 'Every key of a ConfigMap as environment variables.');
def('SecretEnvSource', { name: str('Name of the Secret.'), optional: bool('Whether the Secret may be missing.') }, 'Every key of a Secret as environment variables.');
def('EnvFromSource', { prefix: str('Prefix added to every variable name.'), configMapRef: r('ConfigMapEnvSource', 'The ConfigMap to read.'), secretRef: r('SecretEnvSource', 'The Secret to read.') }, 'A set of environment variables taken from a ConfigMap or Secret.');

// ---------- resources ----------
def('ResourceClaim', { name: str('Name of an entry in pod.spec.resourceClaims.'), request: str('Name of one request in the claim; empty means all of them.') }, 'A reference to a pod resource claim used by this container.', { required: ['name'] });
def('ResourceRequirements', {
  limits: resources('Maximum amount of each resource allowed.'),
  requests: resources('Minimum amount of each resource required; used for scheduling. Defaults to the limits when omitted.'),
  claims: keyedList(r('ResourceClaim'), 'name', 'Dynamically allocated resources (from spec.resourceClaims) this container uses.'),
}, 'Compute resource requests and limits.');
def('VolumeResourceRequirements', { limits: resources('Maximum amount of storage allowed.'), requests: resources('Minimum amount of storage required.') }, 'Storage resource requests and limits of a claim.');
def('ContainerResizePolicy', { resourceName: str('cpu or memory.'), restartPolicy: str('NotRequired (default) or RestartContainer when this resource is resized.') }, 'How a container reacts to a resize of one resource.', { required: ['resourceName', 'restartPolicy'] });

// ---------- probes and handlers ----------
def('ExecAction', { command: strs('Command line to run inside the container, without a shell; exit 0 is success.') }, 'Runs a command in the container.');
def('HTTPHeader', { name: str('Header name.'), value: str('Header value.') }, 'A custom HTTP header.', { required: ['name', 'value'] });
def('HTTPGetAction', {
  path: str('Path to request.'),
  port: intOrString('Port number or named container port.'),
  host: str('Host to connect to; defaults to the pod IP.'),
  scheme: str('HTTP (default) or HTTPS.'),
  httpHeaders: atomic(r('HTTPHeader'), 'Extra headers sent with the request.'),
}, 'An HTTP GET request.', { required: ['port'] });
def('TCPSocketAction', { port: intOrString('Port number or named container port.'), host: str('Host to connect to; defaults to the pod IP.') }, 'Opens a TCP connection.', { required: ['port'] });
def('GRPCAction', { port: int32('Port of the gRPC service.'), service: str('Service name passed to the gRPC health check; empty for the default.') }, 'A gRPC health check.', { required: ['port'] });
def('SleepAction', { seconds: int64('Seconds to sleep.') }, 'Sleeps for a while.', { required: ['seconds'] });
def('Probe', {
  exec: r('ExecAction', 'Run a command.'),
  httpGet: r('HTTPGetAction', 'Send an HTTP GET.'),
  tcpSocket: r('TCPSocketAction', 'Open a TCP connection.'),
  grpc: r('GRPCAction', 'Call the gRPC health service.'),
  initialDelaySeconds: int32('Seconds after the container starts before the first probe.'),
  timeoutSeconds: int32('Seconds before a probe attempt times out. Default 1, minimum 1.'),
  periodSeconds: int32('Seconds between probes. Default 10, minimum 1.'),
  successThreshold: int32('Consecutive successes needed after a failure. Default 1; must be 1 for liveness and startup.'),
  failureThreshold: int32('Consecutive failures before giving up. Default 3, minimum 1.'),
  terminationGracePeriodSeconds: int64('Grace period used when this probe kills the container; overrides the pod value.'),
}, 'A health check of a container.');
def('LifecycleHandler', { exec: r('ExecAction', 'Run a command.'), httpGet: r('HTTPGetAction', 'Send an HTTP GET.'), tcpSocket: r('TCPSocketAction', 'Deprecated; accepted but not run.'), sleep: r('SleepAction', 'Pause for some seconds.') }, 'An action run at a lifecycle event.');
def('Lifecycle', { postStart: r('LifecycleHandler', 'Runs right after the container is created.'), preStop: r('LifecycleHandler', 'Runs before the container is stopped.') }, 'Hooks run at container lifecycle events.');

// ---------- security ----------
def('Capabilities', { add: strs('Capabilities to add.'), drop: strs('Capabilities to remove.') }, 'Linux capabilities of a container.');
def('SELinuxOptions', { user: str('SELinux user label.'), role: str('SELinux role label.'), type: str('SELinux type label.'), level: str('SELinux level label.') }, 'SELinux labels applied to a container.');
def('WindowsSecurityContextOptions', { gmsaCredentialSpecName: str('Name of the GMSA credential spec.'), gmsaCredentialSpec: str('Inline GMSA credential spec.'), runAsUserName: str('Windows user to run as.'), hostProcess: bool('Run as a Windows host process.') }, 'Windows-specific security options.');
def('SeccompProfile', { type: str('RuntimeDefault, Unconfined or Localhost.'), localhostProfile: str('Profile file on the node, for type Localhost.') }, 'A seccomp profile.', { required: ['type'] });
def('AppArmorProfile', { type: str('RuntimeDefault, Unconfined or Localhost.'), localhostProfile: str('Profile loaded on the node, for type Localhost.') }, 'An AppArmor profile.', { required: ['type'] });
def('SecurityContext', {
  capabilities: r('Capabilities', 'Capabilities to add or drop.'),
  privileged: bool('Run the container privileged (all capabilities and devices).'),
  seLinuxOptions: r('SELinuxOptions', 'SELinux context of the container.'),
  windowsOptions: r('WindowsSecurityContextOptions', 'Windows-specific settings.'),
  runAsUser: int64('UID the process runs as.'),
  runAsGroup: int64('Primary GID of the process.'),
  runAsNonRoot: bool('Refuse to start the container if it would run as UID 0.'),
  readOnlyRootFilesystem: bool('Mount the root filesystem read-only.'),
  allowPrivilegeEscalation: bool('Whether a process may gain more privileges than its parent (no_new_privs).'),
  procMount: str('Default or Unmasked /proc.'),
  seccompProfile: r('SeccompProfile', 'Seccomp profile of the container.'),
  appArmorProfile: r('AppArmorProfile', 'AppArmor profile of the container.'),
}, 'Security settings of a container; they override the pod\'s.');
def('Sysctl', { name: str('Name of the sysctl.'), value: str('Value to set.') }, 'A namespaced kernel parameter.', { required: ['name', 'value'] });
def('PodSecurityContext', {
  seLinuxOptions: r('SELinuxOptions', 'SELinux context for every container.'),
  windowsOptions: r('WindowsSecurityContextOptions', 'Windows-specific settings.'),
  runAsUser: int64('Default UID for container processes.'),
  runAsGroup: int64('Default primary GID for container processes.'),
  runAsNonRoot: bool('Refuse to start containers that would run as UID 0.'),
  supplementalGroups: atomic(int64(), 'Extra GIDs given to the first process of every container.'),
  supplementalGroupsPolicy: str('Merge (default) or Strict: how supplementary groups are computed.'),
  fsGroup: int64('GID that owns supported volumes and is added to every container.'),
  sysctls: atomic(r('Sysctl'), 'Namespaced sysctls set for the pod.'),
  fsGroupChangePolicy: str('OnRootMismatch or Always: when volume ownership is changed.'),
  seccompProfile: r('SeccompProfile', 'Seccomp profile for every container.'),
  appArmorProfile: r('AppArmorProfile', 'AppArmor profile for every container.'),
  seLinuxChangePolicy: str('MountOption or Recursive: how SELinux labels are applied to volumes.'),
}, 'Security settings that apply to every container of a pod.');

// ---------- container ----------
def('ContainerPort', {
  name: str('IANA service name for the port, unique in the pod.'),
  hostPort: int32('Port on the host to expose; most pods do not need one.'),
  containerPort: int32('Port number on the pod IP.'),
  protocol: str('TCP (default), UDP or SCTP.', { default: 'TCP' }),
  hostIP: str('Host address to bind the host port to.'),
}, 'A network port of a container.', { required: ['containerPort'] });
def('VolumeMount', {
  name: str('Name of a pod volume.'),
  readOnly: bool('Mount read-only. Default false.'),
  recursiveReadOnly: str('Disabled, IfPossible or Enabled: whether a read-only mount is read-only recursively.'),
  mountPath: str('Path inside the container; must not contain \':\'.'),
  subPath: str('Path inside the volume to mount instead of its root.'),
  mountPropagation: str('None, HostToContainer or Bidirectional.'),
  subPathExpr: str('Like subPath, with $(VAR) expansion from the container environment.'),
}, 'Mounts a volume into a container.', { required: ['name', 'mountPath'] });
def('VolumeDevice', { name: str('Name of a persistentVolumeClaim volume of the pod.'), devicePath: str('Path of the device inside the container.') }, 'Maps a raw block volume into a container.', { required: ['name', 'devicePath'] });

const containerProps = (ephemeral: boolean): Props => ({
  name: str('Name of the container, a DNS label unique in the pod.'),
  image: str('Container image reference.'),
  command: strs('Entrypoint, replacing the image\'s ENTRYPOINT; not run in a shell. $(VAR) is expanded.'),
  args: strs('Arguments, replacing the image\'s CMD. $(VAR) is expanded.'),
  workingDir: str('Working directory; defaults to the image\'s.'),
  ports: ephemeral ? keyedList(r('ContainerPort'), ['containerPort', 'protocol'], 'Not allowed for ephemeral containers.') : keyedList(r('ContainerPort'), ['containerPort', 'protocol'], 'Ports the container exposes (informational, except for hostPort).'),
  envFrom: atomic(r('EnvFromSource'), 'Sources of environment variables; explicit env entries win.'),
  env: keyedList(r('EnvVar'), 'name', 'Environment variables.'),
  resources: r('ResourceRequirements', ephemeral ? 'Not allowed for ephemeral containers.' : 'Compute resources of the container.'),
  resizePolicy: atomic(r('ContainerResizePolicy'), 'How each resource may be resized.'),
  restartPolicy: str(ephemeral ? 'Not allowed for ephemeral containers.' : 'Only for init containers: Always makes it a sidecar that keeps running.'),
  volumeMounts: keyedList(r('VolumeMount'), 'mountPath', 'Volumes mounted into the container.'),
  volumeDevices: keyedList(r('VolumeDevice'), 'devicePath', 'Block devices used by the container.'),
  livenessProbe: r('Probe', ephemeral ? 'Not allowed for ephemeral containers.' : 'Restarts the container when it fails.'),
  readinessProbe: r('Probe', ephemeral ? 'Not allowed for ephemeral containers.' : 'Removes the pod from service endpoints while it fails.'),
  startupProbe: r('Probe', ephemeral ? 'Not allowed for ephemeral containers.' : 'Holds off the other probes until it succeeds.'),
  lifecycle: r('Lifecycle', ephemeral ? 'Not allowed for ephemeral containers.' : 'Hooks run after start and before stop.'),
  terminationMessagePath: str('File whose content becomes the termination message. Default /dev/termination-log.'),
  terminationMessagePolicy: str('File (default) or FallbackToLogsOnError.'),
  imagePullPolicy: str('Always, Never or IfNotPresent. Defaults to Always for :latest or untagged images, IfNotPresent otherwise.'),
  securityContext: r('SecurityContext', 'Security settings of the container.'),
  stdin: bool('Keep a stdin buffer open for attach.'),
  stdinOnce: bool('Close stdin after the first attach session ends.'),
  tty: bool('Allocate a TTY; needs stdin.'),
  ...(ephemeral ? { targetContainerName: str('Container whose namespaces (e.g. PID) this one joins.') } : {}),
});
def('Container', containerProps(false), 'A container of a pod.', { required: ['name'] });
def('EphemeralContainer', containerProps(true), 'A temporary container added to a running pod for debugging.', { required: ['name'] });

// ---------- volumes ----------
def('KeyToPath', { key: str('The key to project.'), path: str('Relative file path to write the key to.'), mode: int32('File mode bits (0000-0777); defaults to the volume defaultMode.') }, 'Maps a key to a file path in a volume.', { required: ['key', 'path'] });
def('HostPathVolumeSource', { path: str('Path on the host.'), type: str('"" (no check), DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice.') }, 'A file or directory of the host.', { required: ['path'] });
def('EmptyDirVolumeSource', { medium: str('"" for node storage or Memory for tmpfs.'), sizeLimit: quantity('Maximum size of the directory.') }, 'An empty directory that lives as long as the pod.');
def('GCEPersistentDiskVolumeSource', { pdName: str('Name of the disk.'), fsType: str('Filesystem type.'), partition: int32('Partition to mount.'), readOnly: bool('Mount read-only.') }, 'A GCE persistent disk (in-tree, deprecated).', { required: ['pdName'] });
def('AWSElasticBlockStoreVolumeSource', { volumeID: str('EBS volume id.'), fsType: str('Filesystem type.'), partition: int32('Partition to mount.'), readOnly: bool('Mount read-only.') }, 'An AWS EBS volume (in-tree, deprecated).', { required: ['volumeID'] });
def('GitRepoVolumeSource', { repository: str('Repository URL.'), revision: str('Commit to check out.'), directory: str('Target directory name.') }, 'A git checkout (deprecated).', { required: ['repository'] });
def('SecretVolumeSource', { secretName: str('Name of the Secret.'), items: atomic(r('KeyToPath'), 'Keys to project; all keys when empty.'), defaultMode: int32('Mode of created files. Default 0644.'), optional: bool('Whether the Secret may be missing.') }, 'Files from a Secret.');
def('NFSVolumeSource', { server: str('NFS server.'), path: str('Exported path.'), readOnly: bool('Mount read-only.') }, 'An NFS export.', { required: ['server', 'path'] });
const iscsi = (pv: boolean): Props => ({
  targetPortal: str('iSCSI target portal, ip[:port].'),
  iqn: str('Target IQN.'),
  lun: int32('Target LUN.'),
  iscsiInterface: str('iSCSI interface; default "default".'),
  fsType: str('Filesystem type.'),
  readOnly: bool('Mount read-only.'),
  portals: strs('Extra target portals.'),
  chapAuthDiscovery: bool('Use CHAP for discovery.'),
  chapAuthSession: bool('Use CHAP for the session.'),
  secretRef: pv ? r('SecretReference', 'Secret with the CHAP credentials.') : r('LocalObjectReference', 'Secret with the CHAP credentials.'),
  initiatorName: str('Custom initiator name.'),
});
def('ISCSIVolumeSource', iscsi(false), 'An iSCSI disk.', { required: ['targetPortal', 'iqn', 'lun'] });
def('ISCSIPersistentVolumeSource', iscsi(true), 'An iSCSI disk.', { required: ['targetPortal', 'iqn', 'lun'] });
def('GlusterfsVolumeSource', { endpoints: str('Endpoints naming the Glusterfs servers.'), path: str('Glusterfs volume path.'), readOnly: bool('Mount read-only.') }, 'A Glusterfs volume (removed driver).', { required: ['endpoints', 'path'] });
def('GlusterfsPersistentVolumeSource', { endpoints: str('Endpoints naming the Glusterfs servers.'), endpointsNamespace: str('Namespace of the endpoints.'), path: str('Glusterfs volume path.'), readOnly: bool('Mount read-only.') }, 'A Glusterfs volume (removed driver).', { required: ['endpoints', 'path'] });
def('PersistentVolumeClaimVolumeSource', { claimName: str('Name of a PersistentVolumeClaim in the pod\'s namespace.'), readOnly: bool('Mount read-only.') }, 'The volume bound to a claim.', { required: ['claimName'] });
const rbd = (pv: boolean): Props => ({
  monitors: strs('Ceph monitors.'),
  image: str('RBD image name.'),
  fsType: str('Filesystem type.'),
  pool: str('RADOS pool; default rbd.'),
  user: str('RADOS user; default admin.'),
  keyring: str('Keyring path; default /etc/ceph/keyring.'),
  secretRef: pv ? r('SecretReference', 'Secret with the authentication key.') : r('LocalObjectReference', 'Secret with the authentication key.'),
  readOnly: bool('Mount read-only.'),
});
def('RBDVolumeSource', rbd(false), 'A Ceph RBD image (deprecated).', { required: ['monitors', 'image'] });
def('RBDPersistentVolumeSource', rbd(true), 'A Ceph RBD image (deprecated).', { required: ['monitors', 'image'] });
const flex = (pv: boolean): Props => ({
  driver: str('Name of the driver.'),
  fsType: str('Filesystem type.'),
  secretRef: pv ? r('SecretReference', 'Secret passed to the driver.') : r('LocalObjectReference', 'Secret passed to the driver.'),
  readOnly: bool('Mount read-only.'),
  options: stringMap('Extra driver options.'),
});
def('FlexVolumeSource', flex(false), 'A volume provided by an exec-based FlexVolume driver.', { required: ['driver'] });
def('FlexPersistentVolumeSource', flex(true), 'A volume provided by an exec-based FlexVolume driver.', { required: ['driver'] });
const cinder = (pv: boolean): Props => ({ volumeID: str('Cinder volume id.'), fsType: str('Filesystem type.'), readOnly: bool('Mount read-only.'), secretRef: pv ? r('SecretReference', 'Secret with OpenStack credentials.') : r('LocalObjectReference', 'Secret with OpenStack credentials.') });
def('CinderVolumeSource', cinder(false), 'An OpenStack Cinder volume (in-tree, deprecated).', { required: ['volumeID'] });
def('CinderPersistentVolumeSource', cinder(true), 'An OpenStack Cinder volume (in-tree, deprecated).', { required: ['volumeID'] });
const cephfs = (pv: boolean): Props => ({ monitors: strs('Ceph monitors.'), path: str('Path within the filesystem; default /.'), user: str('RADOS user; default admin.'), secretFile: str('Path to the keyring.'), secretRef: pv ? r('SecretReference', 'Secret with the key.') : r('LocalObjectReference', 'Secret with the key.'), readOnly: bool('Mount read-only.') });
def('CephFSVolumeSource', cephfs(false), 'A CephFS mount (deprecated).', { required: ['monitors'] });
def('CephFSPersistentVolumeSource', cephfs(true), 'A CephFS mount (deprecated).', { required: ['monitors'] });
def('FlockerVolumeSource', { datasetName: str('Flocker dataset name.'), datasetUUID: str('Flocker dataset UUID.') }, 'A Flocker dataset (removed driver).');
def('DownwardAPIVolumeFile', { path: str('Relative file path.'), fieldRef: r('ObjectFieldSelector', 'Pod field: metadata.name, namespace, uid, labels or annotations.'), resourceFieldRef: r('ResourceFieldSelector', 'A container resource limit or request.'), mode: int32('File mode bits.') }, 'A file holding one piece of pod information.', { required: ['path'] });
def('DownwardAPIVolumeSource', { items: atomic(r('DownwardAPIVolumeFile'), 'Files to create.'), defaultMode: int32('Mode of created files. Default 0644.') }, 'Files holding pod information.');
def('FCVolumeSource', { targetWWNs: strs('Target world wide names.'), lun: int32('Target LUN.'), fsType: str('Filesystem type.'), readOnly: bool('Mount read-only.'), wwids: strs('Volume world wide identifiers.') }, 'A Fibre Channel disk.');
def('AzureFileVolumeSource', { secretName: str('Secret with the account name and key.'), shareName: str('Share name.'), readOnly: bool('Mount read-only.') }, 'An Azure File share (in-tree, deprecated).', { required: ['secretName', 'shareName'] });
def('AzureFilePersistentVolumeSource', { secretName: str('Secret with the account name and key.'), shareName: str('Share name.'), readOnly: bool('Mount read-only.'), secretNamespace: str('Namespace of the secret; defaults to the pod\'s.') }, 'An Azure File share (in-tree, deprecated).', { required: ['secretName', 'shareName'] });
def('ConfigMapVolumeSource', { name: str('Name of the ConfigMap.'), items: atomic(r('KeyToPath'), 'Keys to project; all keys when empty.'), defaultMode: int32('Mode of created files. Default 0644.'), optional: bool('Whether the ConfigMap may be missing.') }, 'Files from a ConfigMap.');
def('VsphereVirtualDiskVolumeSource', { volumePath: str('Path of the vmdk.'), fsType: str('Filesystem type.'), storagePolicyName: str('Storage policy name.'), storagePolicyID: str('Storage policy id.') }, 'A vSphere disk (in-tree, deprecated).', { required: ['volumePath'] });
def('QuobyteVolumeSource', { registry: str('Quobyte registries, host:port list.'), volume: str('Quobyte volume.'), readOnly: bool('Mount read-only.'), user: str('User to map access to.'), group: str('Group to map access to.'), tenant: str('Owning tenant.') }, 'A Quobyte volume (removed driver).', { required: ['registry', 'volume'] });
def('AzureDiskVolumeSource', { diskName: str('Disk name.'), diskURI: str('Disk URI.'), cachingMode: str('None, ReadOnly or ReadWrite.'), fsType: str('Filesystem type.'), readOnly: bool('Mount read-only.'), kind: str('Shared, Dedicated or Managed.') }, 'An Azure data disk (in-tree, deprecated).', { required: ['diskName', 'diskURI'] });
def('PhotonPersistentDiskVolumeSource', { pdID: str('Photon disk id.'), fsType: str('Filesystem type.') }, 'A Photon Controller disk (removed driver).', { required: ['pdID'] });
def('SecretProjection', { name: str('Name of the Secret.'), items: atomic(r('KeyToPath'), 'Keys to project.'), optional: bool('Whether the Secret may be missing.') }, 'Secret files in a projected volume.');
def('ConfigMapProjection', { name: str('Name of the ConfigMap.'), items: atomic(r('KeyToPath'), 'Keys to project.'), optional: bool('Whether the ConfigMap may be missing.') }, 'ConfigMap files in a projected volume.');
def('DownwardAPIProjection', { items: atomic(r('DownwardAPIVolumeFile'), 'Files to create.') }, 'Pod information files in a projected volume.');
def('ServiceAccountTokenProjection', { audience: str('Intended audience of the token; defaults to the API server\'s.'), expirationSeconds: int64('Requested lifetime. Default 3600, minimum 600.'), path: str('File path for the token.') }, 'A bound service account token in a projected volume.', { required: ['path'] });
def('ClusterTrustBundleProjection', { name: str('Select one bundle by name.'), signerName: str('Select bundles by signer.'), labelSelector: selectorRef('Select bundles by label (with signerName).'), optional: bool('Whether a missing bundle is acceptable.'), path: str('File path for the certificates.') }, 'Trust anchors from ClusterTrustBundles in a projected volume.', { required: ['path'] });
def('VolumeProjection', { secret: r('SecretProjection', 'Files from a Secret.'), downwardAPI: r('DownwardAPIProjection', 'Files with pod information.'), configMap: r('ConfigMapProjection', 'Files from a ConfigMap.'), serviceAccountToken: r('ServiceAccountTokenProjection', 'A bound service account token.'), clusterTrustBundle: r('ClusterTrustBundleProjection', 'Trust anchors from ClusterTrustBundles.') }, 'One source of a projected volume.');
def('ProjectedVolumeSource', { sources: atomic(r('VolumeProjection'), 'The sources merged into the directory.'), defaultMode: int32('Mode of created files. Default 0644.') }, 'Several sources in one directory.');
def('PortworxVolumeSource', { volumeID: str('Portworx volume id.'), fsType: str('Filesystem type.'), readOnly: bool('Mount read-only.') }, 'A Portworx volume (in-tree, deprecated).', { required: ['volumeID'] });
const scaleio = (pv: boolean): Props => ({
  gateway: str('ScaleIO API gateway.'),
  system: str('ScaleIO system name.'),
  secretRef: pv ? r('SecretReference', 'Secret with the credentials.') : r('LocalObjectReference', 'Secret with the credentials.'),
  sslEnabled: bool('Use SSL with the gateway.'),
  protectionDomain: str('Protection domain.'),
  storagePool: str('Storage pool.'),
  storageMode: str('ThickProvisioned or ThinProvisioned.'),
  volumeName: str('Existing volume name.'),
  fsType: str('Filesystem type.'),
  readOnly: bool('Mount read-only.'),
});
def('ScaleIOVolumeSource', scaleio(false), 'A ScaleIO volume (removed driver).', { required: ['gateway', 'system', 'secretRef'] });
def('ScaleIOPersistentVolumeSource', scaleio(true), 'A ScaleIO volume (removed driver).', { required: ['gateway', 'system', 'secretRef'] });
const storageos = (pv: boolean): Props => ({ volumeName: str('StorageOS volume name.'), volumeNamespace: str('StorageOS namespace.'), fsType: str('Filesystem type.'), readOnly: bool('Mount read-only.'), secretRef: pv ? r('ObjectReference', 'Secret with the API credentials.') : r('LocalObjectReference', 'Secret with the API credentials.') });
def('StorageOSVolumeSource', storageos(false), 'A StorageOS volume (removed driver).');
def('StorageOSPersistentVolumeSource', storageos(true), 'A StorageOS volume (removed driver).');
def('CSIVolumeSource', { driver: str('Name of the CSI driver.'), readOnly: bool('Mount read-only.'), fsType: str('Filesystem type.'), volumeAttributes: stringMap('Driver-specific attributes.'), nodePublishSecretRef: r('LocalObjectReference', 'Secret passed to NodePublishVolume.') }, 'An inline ephemeral volume from a CSI driver.', { required: ['driver'] });
def('PersistentVolumeClaimTemplate', { metadata: metaRef('Labels and annotations copied to the created claim.'), spec: r('PersistentVolumeClaimSpec', 'Spec of the created claim.') }, 'Template for the claim an ephemeral volume creates.', { required: ['spec'] });
def('EphemeralVolumeSource', { volumeClaimTemplate: r('PersistentVolumeClaimTemplate', 'The claim created for the pod and deleted with it.') }, 'A volume backed by a per-pod PersistentVolumeClaim.');
def('ImageVolumeSource', { reference: str('Image reference to mount.'), pullPolicy: str('Always, Never or IfNotPresent.') }, 'An OCI image or artifact mounted read-only.');

const volumeSourceProps: Props = {
  hostPath: r('HostPathVolumeSource', 'A path on the node.'),
  emptyDir: r('EmptyDirVolumeSource', 'A scratch directory that lives as long as the pod.'),
  gcePersistentDisk: r('GCEPersistentDiskVolumeSource', 'A GCE disk (deprecated).'),
  awsElasticBlockStore: r('AWSElasticBlockStoreVolumeSource', 'An AWS EBS volume (deprecated).'),
  gitRepo: r('GitRepoVolumeSource', 'A git checkout (deprecated).'),
  secret: r('SecretVolumeSource', 'Files from a Secret.'),
  nfs: r('NFSVolumeSource', 'An NFS export.'),
  iscsi: r('ISCSIVolumeSource', 'An iSCSI disk.'),
  glusterfs: r('GlusterfsVolumeSource', 'A Glusterfs volume.'),
  persistentVolumeClaim: r('PersistentVolumeClaimVolumeSource', 'The volume bound to a claim in the pod\'s namespace.'),
  rbd: r('RBDVolumeSource', 'A Ceph RBD image.'),
  flexVolume: r('FlexVolumeSource', 'A FlexVolume driver volume.'),
  cinder: r('CinderVolumeSource', 'A Cinder volume.'),
  cephfs: r('CephFSVolumeSource', 'A CephFS mount.'),
  flocker: r('FlockerVolumeSource', 'A Flocker dataset.'),
  downwardAPI: r('DownwardAPIVolumeSource', 'Files with pod information.'),
  fc: r('FCVolumeSource', 'A Fibre Channel disk.'),
  azureFile: r('AzureFileVolumeSource', 'An Azure File share.'),
  configMap: r('ConfigMapVolumeSource', 'Files from a ConfigMap.'),
  vsphereVolume: r('VsphereVirtualDiskVolumeSource', 'A vSphere disk.'),
  quobyte: r('QuobyteVolumeSource', 'A Quobyte volume.'),
  azureDisk: r('AzureDiskVolumeSource', 'An Azure disk.'),
  photonPersistentDisk: r('PhotonPersistentDiskVolumeSource', 'A Photon disk.'),
  projected: r('ProjectedVolumeSource', 'Several sources in one directory.'),
  portworxVolume: r('PortworxVolumeSource', 'A Portworx volume.'),
  scaleIO: r('ScaleIOVolumeSource', 'A ScaleIO volume.'),
  storageos: r('StorageOSVolumeSource', 'A StorageOS volume.'),
  csi: r('CSIVolumeSource', 'An inline CSI volume.'),
  ephemeral: r('EphemeralVolumeSource', 'A per-pod claim created from a template.'),
  image: r('ImageVolumeSource', 'An OCI image mounted read-only.'),
};
/** Names of every volume source of a pod volume (exactly one must be set). */
export const VOLUME_SOURCES = Object.keys(volumeSourceProps);
def('Volume', { name: str('Name of the volume, a DNS label unique in the pod.'), ...volumeSourceProps }, 'A named volume that containers of the pod can mount.', { required: ['name'] });

// ---------- scheduling ----------
def('NodeSelectorRequirement', { key: str('Label or field key.'), operator: str('In, NotIn, Exists, DoesNotExist, Gt or Lt.'), values: strs('Values; one integer for Gt and Lt, none for Exists and DoesNotExist.') }, 'One node label or field requirement.', { required: ['key', 'operator'] });
def('NodeSelectorTerm', { matchExpressions: atomic(r('NodeSelectorRequirement'), 'Requirements on node labels.'), matchFields: atomic(r('NodeSelectorRequirement'), 'Requirements on node fields (metadata.name).') }, 'Requirements that are ANDed; an empty term matches nothing.', { 'x-kubernetes-map-type': 'atomic' });
def('NodeSelector', { nodeSelectorTerms: atomic(r('NodeSelectorTerm'), 'Terms that are ORed.') }, 'Selects nodes: any of the terms must match.', { required: ['nodeSelectorTerms'], 'x-kubernetes-map-type': 'atomic' });
def('PreferredSchedulingTerm', { weight: int32('Weight 1-100.'), preference: r('NodeSelectorTerm', 'The node requirements.') }, 'A weighted node preference.', { required: ['weight', 'preference'] });
def('NodeAffinity', {
  requiredDuringSchedulingIgnoredDuringExecution: r('NodeSelector', 'Nodes the pod may be scheduled onto.'),
  preferredDuringSchedulingIgnoredDuringExecution: atomic(r('PreferredSchedulingTerm'), 'Weighted node preferences.'),
}, 'Node affinity rules of a pod.');
def('PodAffinityTerm', {
  labelSelector: selectorRef('Pods to be near (or away from).'),
  namespaces: strs('Namespaces the selector applies to; the pod\'s own when empty.'),
  topologyKey: str('Node label whose value defines co-location.'),
  namespaceSelector: selectorRef('Namespaces, by label, the selector applies to.'),
  matchLabelKeys: strs('Label keys whose values are copied from the incoming pod into the selector.'),
  mismatchLabelKeys: strs('Label keys whose values must differ from the incoming pod\'s.'),
}, 'A set of pods and the topology domain to be co-located with.', { required: ['topologyKey'] });
def('WeightedPodAffinityTerm', { weight: int32('Weight 1-100.'), podAffinityTerm: r('PodAffinityTerm', 'The term.') }, 'A weighted pod (anti-)affinity preference.', { required: ['weight', 'podAffinityTerm'] });
const podAffinityProps = (anti: boolean): Props => ({
  requiredDuringSchedulingIgnoredDuringExecution: atomic(r('PodAffinityTerm'), anti ? 'Pods this pod must not share a domain with.' : 'Pods this pod must share a domain with.'),
  preferredDuringSchedulingIgnoredDuringExecution: atomic(r('WeightedPodAffinityTerm'), 'Weighted preferences.'),
});
def('PodAffinity', podAffinityProps(false), 'Rules to place a pod near other pods.');
def('PodAntiAffinity', podAffinityProps(true), 'Rules to keep a pod away from other pods.');
def('Affinity', { nodeAffinity: r('NodeAffinity', 'Node affinity rules.'), podAffinity: r('PodAffinity', 'Pod affinity rules.'), podAntiAffinity: r('PodAntiAffinity', 'Pod anti-affinity rules.') }, 'Scheduling constraints of a pod.');
def('Toleration', {
  key: str('Taint key to tolerate; empty with Exists matches all taints.'),
  operator: str('Exists or Equal (default).'),
  value: str('Taint value for Equal.'),
  effect: str('NoSchedule, PreferNoSchedule or NoExecute; empty matches all.'),
  tolerationSeconds: int64('For NoExecute: how long the pod stays bound after the taint appears.'),
}, 'Lets a pod run on nodes with a matching taint.');
def('TopologySpreadConstraint', {
  maxSkew: int32('Largest allowed difference in matching pods between domains.'),
  topologyKey: str('Node label that defines the domains.'),
  whenUnsatisfiable: str('DoNotSchedule or ScheduleAnyway.'),
  labelSelector: selectorRef('Pods counted in each domain.'),
  minDomains: int32('Minimum number of eligible domains.'),
  nodeAffinityPolicy: str('Honor (default) or Ignore the pod\'s node affinity when counting.'),
  nodeTaintsPolicy: str('Honor or Ignore (default) node taints when counting.'),
  matchLabelKeys: strs('Label keys whose values from the incoming pod are added to the selector.'),
}, 'How pods are spread across topology domains.', { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] });
def('Taint', { key: str('Taint key.'), value: str('Taint value.'), effect: str('NoSchedule, PreferNoSchedule or NoExecute.'), timeAdded: time('When a NoExecute taint was added.') }, 'Repels pods that do not tolerate it.', { required: ['key', 'effect'] });
def('TopologySelectorLabelRequirement', { key: str('Label key.'), values: strs('Values; one must match.') }, 'A topology label requirement.', { required: ['key', 'values'] });
def('TopologySelectorTerm', { matchLabelExpressions: atomic(r('TopologySelectorLabelRequirement'), 'Requirements, ANDed.') }, 'A topology domain selector.', { 'x-kubernetes-map-type': 'atomic' });

// ---------- pod ----------
def('HostAlias', { ip: str('IP address of the entry.'), hostnames: strs('Host names for the address.') }, 'An /etc/hosts entry for the pod.', { required: ['ip'] });
def('PodDNSConfigOption', { name: str('Option name.'), value: str('Option value.') }, 'A resolver option.');
def('PodDNSConfig', { nameservers: strs('Extra name servers.'), searches: strs('Extra search domains.'), options: atomic(r('PodDNSConfigOption'), 'Resolver options.') }, 'DNS settings merged into the pod\'s resolv.conf.');
def('PodReadinessGate', { conditionType: str('A pod condition type that must be True for the pod to be ready.') }, 'An extra readiness condition.', { required: ['conditionType'] });
def('PodOS', { name: str('linux or windows.') }, 'The operating system the pod needs.', { required: ['name'] });
def('PodSchedulingGate', { name: str('Name of the gate.') }, 'Holds a pod back from scheduling until removed.', { required: ['name'] });
def('PodResourceClaim', { name: str('Name of this claim inside the pod.'), resourceClaimName: str('An existing ResourceClaim to use.'), resourceClaimTemplateName: str('A ResourceClaimTemplate to create a claim from.') }, 'A dynamic resource claim of the pod.', { required: ['name'] });

def('PodSpec', {
  volumes: withStrategy(keyedList(r('Volume'), 'name', 'Volumes the containers can mount.'), 'merge,retainKeys'),
  initContainers: keyedList(r('Container'), 'name', 'Containers run one after another to completion before the app containers start.'),
  containers: keyedList(r('Container'), 'name', 'The app containers. At least one is required.'),
  ephemeralContainers: keyedList(r('EphemeralContainer'), 'name', 'Debugging containers added through the ephemeralcontainers subresource.'),
  restartPolicy: str('Always (default), OnFailure or Never.'),
  terminationGracePeriodSeconds: int64('Seconds between the stop signal and the kill. Default 30.'),
  activeDeadlineSeconds: int64('Seconds the pod may run before it is failed.'),
  dnsPolicy: str('ClusterFirst (default), ClusterFirstWithHostNet, Default or None.'),
  nodeSelector: atomicMap('Node labels the pod requires.'),
  serviceAccountName: str('ServiceAccount the pod runs as.'),
  serviceAccount: str('Deprecated alias of serviceAccountName.'),
  automountServiceAccountToken: bool('Whether the service account token is mounted.'),
  nodeName: str('Node the pod is bound to; set by the scheduler.'),
  hostNetwork: bool('Use the node\'s network namespace.'),
  hostPID: bool('Use the node\'s PID namespace.'),
  hostIPC: bool('Use the node\'s IPC namespace.'),
  shareProcessNamespace: bool('Share one PID namespace between the containers.'),
  securityContext: r('PodSecurityContext', 'Pod-level security settings.'),
  imagePullSecrets: keyedList(r('LocalObjectReference'), 'name', 'Secrets with registry credentials.'),
  hostname: str('Host name of the pod; defaults to the pod name.'),
  subdomain: str('Subdomain for the pod\'s DNS name <hostname>.<subdomain>.<ns>.svc.<domain>.'),
  affinity: r('Affinity', 'Scheduling constraints.'),
  schedulerName: str('Scheduler that places the pod. Default default-scheduler.'),
  tolerations: atomic(r('Toleration'), 'Taints the pod tolerates.'),
  hostAliases: keyedList(r('HostAlias'), 'ip', 'Extra /etc/hosts entries.'),
  priorityClassName: str('PriorityClass of the pod.'),
  priority: int32('Priority value, filled from priorityClassName.'),
  dnsConfig: r('PodDNSConfig', 'Extra DNS settings.'),
  readinessGates: atomic(r('PodReadinessGate'), 'Extra conditions for readiness.'),
  runtimeClassName: str('RuntimeClass to run the pod with.'),
  enableServiceLinks: bool('Inject Service environment variables. Default true.'),
  preemptionPolicy: str('PreemptLowerPriority (default) or Never.'),
  overhead: resources('Resource overhead of the pod sandbox, filled from the RuntimeClass.'),
  topologySpreadConstraints: keyedList(r('TopologySpreadConstraint'), ['topologyKey', 'whenUnsatisfiable'], 'How the pod is spread across domains.'),
  setHostnameAsFQDN: bool('Set the hostname to the pod FQDN.'),
  os: r('PodOS', 'Operating system of the pod.'),
  hostUsers: bool('Use the host user namespace (default true).'),
  schedulingGates: keyedList(r('PodSchedulingGate'), 'name', 'Gates that hold the pod back from scheduling.'),
  resourceClaims: withStrategy(keyedList(r('PodResourceClaim'), 'name', 'Dynamic resource claims of the pod.'), 'merge,retainKeys'),
  resources: r('ResourceRequirements', 'Pod-level resource requests and limits.'),
}, 'The desired state of a pod.', { required: ['containers'] });

def('PodCondition', { type: str('PodScheduled, Initialized, ContainersReady, Ready, PodReadyToStartContainers, ...'), status: str('True, False or Unknown.'), lastProbeTime: time('Last time it was probed.'), lastTransitionTime: time('Last time the status changed.'), reason: str('Machine-readable reason.'), message: str('Human-readable details.') }, 'One condition of a pod.', { required: ['type', 'status'] });
def('ContainerStateWaiting', { reason: str('Why it is waiting, e.g. ContainerCreating.'), message: str('Details.') }, 'The container is not running yet.');
def('ContainerStateRunning', { startedAt: time('When it (re)started.') }, 'The container is running.');
def('ContainerStateTerminated', { exitCode: int32('Exit code.'), signal: int32('Signal that ended it.'), reason: str('Completed, Error, OOMKilled, ...'), message: str('Termination message.'), startedAt: time('When it started.'), finishedAt: time('When it ended.'), containerID: str('Container id.') }, 'The container has ended.', { required: ['exitCode'] });
def('ContainerState', { waiting: r('ContainerStateWaiting', 'Details of a waiting container.'), running: r('ContainerStateRunning', 'Details of a running container.'), terminated: r('ContainerStateTerminated', 'Details of an ended container.') }, 'State of a container; exactly one member is set.');
def('VolumeMountStatus', { name: str('Volume name.'), mountPath: str('Mount path.'), readOnly: bool('Mounted read-only.'), recursiveReadOnly: str('Recursive read-only state.') }, 'Status of one volume mount.', { required: ['name', 'mountPath'] });
def('LinuxContainerUser', { uid: int64('UID of the first process.'), gid: int64('GID of the first process.'), supplementalGroups: atomic(int64(), 'Supplementary GIDs.') }, 'Linux identity of the first process.', { required: ['uid', 'gid'] });
def('ContainerUser', { linux: r('LinuxContainerUser', 'Linux identity.') }, 'Identity of the first process of a container.');
def('ResourceHealth', { resourceID: str('Device id.'), health: str('Healthy, Unhealthy or Unknown.') }, 'Health of one allocated device.', { required: ['resourceID'] });
def('ResourceStatus', { name: str('Resource name.'), resources: keyedList(r('ResourceHealth'), 'resourceID', 'Devices and their health.') }, 'Health of the devices backing one resource.', { required: ['name'] });
def('ContainerStatus', {
  name: str('Container name.'),
  state: r('ContainerState', 'Current state.'),
  lastState: r('ContainerState', 'State of the previous instance.'),
  ready: bool('Whether the readiness probe passes.'),
  restartCount: int32('Times the container restarted.'),
  image: str('Image the container runs.'),
  imageID: str('Resolved image id.'),
  containerID: str('Runtime container id, <type>://<id>.'),
  started: bool('Whether the startup probe passed.'),
  allocatedResources: resources('Resources allocated to the container.'),
  resources: r('ResourceRequirements', 'Resources actually applied.'),
  volumeMounts: keyedList(r('VolumeMountStatus'), 'mountPath', 'Status of the volume mounts.'),
  user: r('ContainerUser', 'Identity of the first process.'),
  allocatedResourcesStatus: keyedList(r('ResourceStatus'), 'name', 'Health of allocated devices.'),
}, 'Observed state of one container.', { required: ['name', 'ready', 'restartCount', 'image', 'imageID'] });
def('HostIP', { ip: str('Address.') }, 'An address of the node.', { required: ['ip'] });
def('PodIP', { ip: str('Address.') }, 'An address of the pod.', { required: ['ip'] });
def('PodResourceClaimStatus', { name: str('Entry in spec.resourceClaims.'), resourceClaimName: str('The ResourceClaim created for it.') }, 'Which ResourceClaim was created for a template claim.', { required: ['name'] });
def('PodStatus', {
  phase: str('Pending, Running, Succeeded, Failed or Unknown.'),
  conditions: byType(r('PodCondition'), 'Current conditions.'),
  message: str('Why the pod is in this state.'),
  reason: str('Short reason, e.g. Evicted.'),
  nominatedNodeName: str('Node the pod is expected to run on after preemption.'),
  hostIP: str('Address of the node.'),
  hostIPs: keyedList(r('HostIP'), 'ip', 'Addresses of the node.'),
  podIP: str('Address of the pod.'),
  podIPs: keyedList(r('PodIP'), 'ip', 'Addresses of the pod.'),
  startTime: time('When the node acknowledged the pod.'),
  initContainerStatuses: atomic(r('ContainerStatus'), 'Status of the init containers.'),
  containerStatuses: atomic(r('ContainerStatus'), 'Status of the app containers.'),
  qosClass: str('Guaranteed, Burstable or BestEffort.'),
  ephemeralContainerStatuses: atomic(r('ContainerStatus'), 'Status of the ephemeral containers.'),
  resize: str('Progress of a requested resize.'),
  resourceClaimStatuses: withStrategy(keyedList(r('PodResourceClaimStatus'), 'name', 'Generated resource claims.'), 'merge,retainKeys'),
}, 'Observed state of a pod.');
kindSchema(C + 'Pod', v1('Pod'), 'A group of containers scheduled together on one node.', { spec: r('PodSpec', 'Desired state of the pod.'), status: r('PodStatus', 'Observed state of the pod; written by the system.') });
def('PodTemplateSpec', { metadata: metaRef('Metadata of created pods.'), spec: r('PodSpec', 'Spec of created pods.') }, 'Template for the pods a controller creates.');
kindSchema(C + 'PodTemplate', v1('PodTemplate'), 'A stored pod template.', { template: r('PodTemplateSpec', 'The template.') });

// ---------- service / endpoints ----------
def('ServicePort', {
  name: str('Port name, a DNS label; required and unique when there are several ports.'),
  protocol: str('TCP (default), UDP or SCTP.', { default: 'TCP' }),
  appProtocol: str('Application protocol hint, e.g. http or kubernetes.io/h2c.'),
  port: int32('Port the service listens on.'),
  targetPort: intOrString('Port number or named port on the pods. Defaults to port.'),
  nodePort: int32('Port on every node for NodePort and LoadBalancer services; allocated when omitted.'),
}, 'A port of a service.', { required: ['port'] });
def('ClientIPConfig', { timeoutSeconds: int32('Stickiness timeout, 1-86400. Default 10800.') }, 'ClientIP session affinity settings.');
def('SessionAffinityConfig', { clientIP: r('ClientIPConfig', 'Settings for ClientIP affinity.') }, 'Session affinity settings.');
def('ServiceSpec', {
  ports: keyedList(r('ServicePort'), ['port', 'protocol'], 'Ports the service exposes.'),
  selector: atomicMap('Pods with these labels back the service.'),
  clusterIP: str('Virtual IP of the service; allocated when empty, None for headless. Immutable.'),
  clusterIPs: strs('Virtual IPs, one per IP family; the first equals clusterIP.'),
  type: str('ClusterIP (default), NodePort, LoadBalancer or ExternalName.'),
  externalIPs: strs('Extra addresses the service accepts traffic on.'),
  sessionAffinity: str('None (default) or ClientIP.'),
  loadBalancerIP: str('Requested load balancer address (deprecated).'),
  loadBalancerSourceRanges: strs('Client CIDRs allowed through the load balancer.'),
  externalName: str('DNS name returned as a CNAME, for ExternalName services.'),
  externalTrafficPolicy: str('Cluster (default) or Local, for external traffic.'),
  healthCheckNodePort: int32('Node port for load balancer health checks with Local policy.'),
  publishNotReadyAddresses: bool('Include not-ready pods in endpoints and DNS.'),
  sessionAffinityConfig: r('SessionAffinityConfig', 'Session affinity settings.'),
  ipFamilies: strs('IPv4 and/or IPv6.'),
  ipFamilyPolicy: str('SingleStack, PreferDualStack or RequireDualStack.'),
  allocateLoadBalancerNodePorts: bool('Allocate node ports for LoadBalancer services. Default true.'),
  loadBalancerClass: str('Load balancer implementation to use.'),
  internalTrafficPolicy: str('Cluster (default) or Local, for traffic from inside the cluster.'),
  trafficDistribution: str('Routing preference, e.g. PreferClose.'),
}, 'The desired state of a service.');
def('PortStatus', { port: int32('Port number.'), protocol: str('TCP, UDP or SCTP.'), error: str('Problem with this port, if any.') }, 'Status of a load balancer port.', { required: ['port', 'protocol'] });
def('LoadBalancerIngress', { ip: str('Address of the load balancer.'), hostname: str('Host name of the load balancer.'), ipMode: str('VIP or Proxy.'), ports: atomic(r('PortStatus'), 'Per-port status.') }, 'An entry point of a load balancer.');
def('LoadBalancerStatus', { ingress: atomic(r('LoadBalancerIngress'), 'Entry points.') }, 'Status of a load balancer.');
def('ServiceStatus', { loadBalancer: r('LoadBalancerStatus', 'The load balancer, if any.'), conditions: byType(ref(META + 'Condition'), 'Current conditions.') }, 'Observed state of a service.');
kindSchema(C + 'Service', v1('Service'), 'A named set of ports and a virtual IP in front of a set of pods.', { spec: r('ServiceSpec', 'Desired state of the service.'), status: r('ServiceStatus', 'Observed state of the service.') });

def('EndpointAddress', { ip: str('Address of the endpoint.'), hostname: str('Host name of the endpoint.'), nodeName: str('Node hosting the endpoint.'), targetRef: r('ObjectReference', 'The object (usually a pod) behind the endpoint.') }, 'One endpoint address.', { required: ['ip'], 'x-kubernetes-map-type': 'atomic' });
def('EndpointPort', { name: str('Port name, matching the service port.'), port: int32('Port number.'), protocol: str('TCP (default), UDP or SCTP.', { default: 'TCP' }), appProtocol: str('Application protocol.') }, 'One endpoint port.', { required: ['port'], 'x-kubernetes-map-type': 'atomic' });
def('EndpointSubset', { addresses: atomic(r('EndpointAddress'), 'Ready addresses.'), notReadyAddresses: atomic(r('EndpointAddress'), 'Addresses not ready yet.'), ports: atomic(r('EndpointPort'), 'Ports available on every address.') }, 'A set of addresses sharing the same ports.');
kindSchema(C + 'Endpoints', v1('Endpoints'), 'The addresses behind a service.', { subsets: atomic(r('EndpointSubset'), 'Groups of addresses and ports.') });

// ---------- config ----------
kindSchema(C + 'ConfigMap', v1('ConfigMap'), 'Non-secret configuration data for pods.', {
  data: stringMap('UTF-8 string values.'),
  binaryData: mapOf(bytes(), 'Binary values, base64 encoded.'),
  immutable: bool('When true, data cannot be changed.'),
});
kindSchema(C + 'Secret', v1('Secret'), 'Sensitive data such as passwords, tokens or keys.', {
  data: mapOf(bytes(), 'Values, base64 encoded.'),
  stringData: stringMap('Write-only plain-text values, merged into data on write.'),
  type: str('Type of the secret, e.g. Opaque or kubernetes.io/tls. Immutable.'),
  immutable: bool('When true, data cannot be changed.'),
});
kindSchema(C + 'ServiceAccount', v1('ServiceAccount'), 'An identity for processes running in pods.', {
  secrets: keyedList(r('ObjectReference'), 'name', 'Secrets pods using this account may use (legacy tokens).'),
  imagePullSecrets: atomic(r('LocalObjectReference'), 'Registry credentials added to pods using this account.'),
  automountServiceAccountToken: bool('Whether pods mount the token by default.'),
});

// ---------- namespace / node ----------
def('NamespaceSpec', { finalizers: strs('Finalizers that must finish before the namespace is removed.') }, 'Desired state of a namespace.');
def('NamespaceCondition', { type: str('Condition type.'), status: str('True, False or Unknown.'), lastTransitionTime: time('Last change.'), reason: str('Reason.'), message: str('Details.') }, 'One condition of a namespace.', { required: ['type', 'status'] });
def('NamespaceStatus', { phase: str('Active or Terminating.'), conditions: byType(r('NamespaceCondition'), 'Current conditions.') }, 'Observed state of a namespace.');
kindSchema(C + 'Namespace', v1('Namespace'), 'A scope for names and policies.', { spec: r('NamespaceSpec', 'Desired state.'), status: r('NamespaceStatus', 'Observed state.') });

def('ConfigMapNodeConfigSource', { namespace: str('Namespace of the ConfigMap.'), name: str('Name of the ConfigMap.'), uid: str('UID of the ConfigMap.'), resourceVersion: str('resourceVersion of the ConfigMap.'), kubeletConfigKey: str('Key holding the configuration.') }, 'A ConfigMap used as node configuration (deprecated).', { required: ['namespace', 'name', 'kubeletConfigKey'] });
def('NodeConfigSource', { configMap: r('ConfigMapNodeConfigSource', 'A ConfigMap holding the configuration.') }, 'Source of dynamic node configuration (deprecated).');
def('NodeSpec', {
  podCIDR: str('Pod address range of the node.'),
  podCIDRs: setList(str(), 'Pod address ranges, one per IP family.'),
  providerID: str('Cloud provider id of the node.'),
  unschedulable: bool('Keep new pods off the node (cordon).'),
  taints: atomic(r('Taint'), 'Taints of the node.'),
  configSource: r('NodeConfigSource', 'Deprecated.'),
  externalID: str('Deprecated.'),
}, 'Desired state of a node.');
def('NodeCondition', { type: str('Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable.'), status: str('True, False or Unknown.'), lastHeartbeatTime: time('Last report.'), lastTransitionTime: time('Last change.'), reason: str('Reason.'), message: str('Details.') }, 'One condition of a node.', { required: ['type', 'status'] });
def('NodeAddress', { type: str('Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.'), address: str('The address.') }, 'An address of a node.', { required: ['type', 'address'] });
def('DaemonEndpoint', { Port: int32('Port number.') }, 'A port of a node daemon.', { required: ['Port'] });
def('NodeDaemonEndpoints', { kubeletEndpoint: r('DaemonEndpoint', 'Port of the node agent API.') }, 'Ports of the node daemons.');
def('NodeSystemInfo', {
  machineID: str('Machine id.'), systemUUID: str('System UUID.'), bootID: str('Boot id.'), kernelVersion: str('Kernel version.'), osImage: str('OS image.'),
  containerRuntimeVersion: str('Runtime and version.'), kubeletVersion: str('Node agent version.'), kubeProxyVersion: str('Deprecated.'), operatingSystem: str('Operating system.'), architecture: str('CPU architecture.'),
}, 'Identity and versions of a node.', { required: ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture'] });
def('ContainerImage', { names: strs('Names of the image.'), sizeBytes: int64('Size in bytes.') }, 'An image present on a node.');
def('AttachedVolume', { name: str('Volume name.'), devicePath: str('Device path.') }, 'A volume attached to a node.', { required: ['name', 'devicePath'] });
def('NodeConfigStatus', { assigned: r('NodeConfigSource', 'Configuration the node was asked to use.'), active: r('NodeConfigSource', 'Configuration the node is using.'), lastKnownGood: r('NodeConfigSource', 'Last configuration known to work.'), error: str('Error.') }, 'Deprecated dynamic configuration status.');
def('NodeRuntimeHandlerFeatures', { recursiveReadOnlyMounts: bool('Supports recursive read-only mounts.'), userNamespaces: bool('Supports user namespaces.') }, 'Features of a runtime handler.');
def('NodeRuntimeHandler', { name: str('Handler name; empty for the default.'), features: r('NodeRuntimeHandlerFeatures', 'Features of the handler.') }, 'A runtime handler of the node.');
def('NodeFeatures', { supplementalGroupsPolicy: bool('Supports supplementalGroupsPolicy.') }, 'Features the node supports.');
def('NodeStatus', {
  capacity: resources('Total resources of the node.'),
  allocatable: resources('Resources available to pods.'),
  phase: str('Deprecated.'),
  conditions: byType(r('NodeCondition'), 'Current conditions.'),
  addresses: byType(r('NodeAddress'), 'Addresses of the node.'),
  daemonEndpoints: r('NodeDaemonEndpoints', 'Ports of the node daemons.'),
  nodeInfo: r('NodeSystemInfo', 'Identity and versions.'),
  images: atomic(r('ContainerImage'), 'Images on the node.'),
  volumesInUse: strs('Attachable volumes in use.'),
  volumesAttached: atomic(r('AttachedVolume'), 'Volumes attached to the node.'),
  config: r('NodeConfigStatus', 'Deprecated.'),
  runtimeHandlers: atomic(r('NodeRuntimeHandler'), 'Runtime handlers.'),
  features: r('NodeFeatures', 'Supported features.'),
}, 'Observed state of a node.');
kindSchema(C + 'Node', v1('Node'), 'A machine that runs pods.', { spec: r('NodeSpec', 'Desired state.'), status: r('NodeStatus', 'Observed state.') });

// ---------- events ----------
def('EventSource', { component: str('Component that reported the event.'), host: str('Node of the reporter.') }, 'Where an event came from.');
def('EventSeries', { count: int32('Occurrences so far.'), lastObservedTime: microTime('Last occurrence.') }, 'A series of repeated events.');
kindSchema(C + 'Event', v1('Event'), 'A report of something that happened in the cluster.', {
  involvedObject: r('ObjectReference', 'The object the event is about.'),
  reason: str('Short CamelCase reason.'),
  message: str('Human-readable description.'),
  source: r('EventSource', 'Reporter.'),
  firstTimestamp: time('First occurrence.'),
  lastTimestamp: time('Latest occurrence.'),
  count: int32('Number of occurrences.'),
  type: str('Normal or Warning.'),
  eventTime: microTime('When the event was first observed.'),
  series: r('EventSeries', 'Repetition data.'),
  action: str('What was done or failed.'),
  related: r('ObjectReference', 'A second object involved.'),
  reportingComponent: str('Controller that emitted the event.'),
  reportingInstance: str('Instance of that controller.'),
}, { required: ['metadata', 'involvedObject'] });

// ---------- replication controller ----------
def('ReplicationControllerSpec', {
  replicas: int32('Desired number of pods. Default 1.'),
  minReadySeconds: int32('Seconds a pod must be ready to count as available.'),
  selector: atomicMap('Labels of the managed pods; defaults to the template labels.'),
  template: r('PodTemplateSpec', 'Template of the pods.'),
}, 'Desired state of a replication controller.');
def('ReplicationControllerCondition', { type: str('Condition type.'), status: str('True, False or Unknown.'), lastTransitionTime: time('Last change.'), reason: str('Reason.'), message: str('Details.') }, 'One condition of a replication controller.', { required: ['type', 'status'] });
def('ReplicationControllerStatus', {
  replicas: int32('Pods currently managed.'),
  fullyLabeledReplicas: int32('Pods whose labels match the template.'),
  readyReplicas: int32('Ready pods.'),
  availableReplicas: int32('Available pods.'),
  observedGeneration: int64('Generation last acted on.'),
  conditions: byType(r('ReplicationControllerCondition'), 'Current conditions.'),
}, 'Observed state of a replication controller.', { required: ['replicas'] });
kindSchema(C + 'ReplicationController', v1('ReplicationController'), 'Keeps a number of pod replicas running.', { spec: r('ReplicationControllerSpec', 'Desired state.'), status: r('ReplicationControllerStatus', 'Observed state.') });

// ---------- storage ----------
def('LocalVolumeSource', { path: str('Path on the node.'), fsType: str('Filesystem type, for block devices.') }, 'Local storage on one node.', { required: ['path'] });
def('CSIPersistentVolumeSource', {
  driver: str('Name of the CSI driver.'),
  volumeHandle: str('Volume id returned by the driver.'),
  readOnly: bool('Mount read-only.'),
  fsType: str('Filesystem type.'),
  volumeAttributes: stringMap('Driver-specific attributes.'),
  controllerPublishSecretRef: r('SecretReference', 'Secret for ControllerPublishVolume.'),
  nodeStageSecretRef: r('SecretReference', 'Secret for NodeStageVolume.'),
  nodePublishSecretRef: r('SecretReference', 'Secret for NodePublishVolume.'),
  controllerExpandSecretRef: r('SecretReference', 'Secret for ControllerExpandVolume.'),
  nodeExpandSecretRef: r('SecretReference', 'Secret for NodeExpandVolume.'),
}, 'A volume managed by a CSI driver.', { required: ['driver', 'volumeHandle'] });
def('VolumeNodeAffinity', { required: r('NodeSelector', 'Nodes that can access the volume.') }, 'Nodes a volume is reachable from.');
export const PV_SOURCES = ['gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi'];
def('PersistentVolumeSpec', {
  capacity: resources('Capacity of the volume (storage).'),
  gcePersistentDisk: r('GCEPersistentDiskVolumeSource', 'A GCE disk (deprecated).'),
  awsElasticBlockStore: r('AWSElasticBlockStoreVolumeSource', 'An AWS EBS volume (deprecated).'),
  hostPath: r('HostPathVolumeSource', 'A path on one node; for single-node testing.'),
  glusterfs: r('GlusterfsPersistentVolumeSource', 'A Glusterfs volume.'),
  nfs: r('NFSVolumeSource', 'An NFS export.'),
  rbd: r('RBDPersistentVolumeSource', 'A Ceph RBD image.'),
  iscsi: r('ISCSIPersistentVolumeSource', 'An iSCSI disk.'),
  cinder: r('CinderPersistentVolumeSource', 'A Cinder volume (deprecated).'),
  cephfs: r('CephFSPersistentVolumeSource', 'A CephFS mount.'),
  fc: r('FCVolumeSource', 'A Fibre Channel disk.'),
  flocker: r('FlockerVolumeSource', 'A Flocker dataset.'),
  flexVolume: r('FlexPersistentVolumeSource', 'A FlexVolume driver volume.'),
  azureFile: r('AzureFilePersistentVolumeSource', 'An Azure File share (deprecated).'),
  vsphereVolume: r('VsphereVirtualDiskVolumeSource', 'A vSphere disk (deprecated).'),
  quobyte: r('QuobyteVolumeSource', 'A Quobyte volume.'),
  azureDisk: r('AzureDiskVolumeSource', 'An Azure disk (deprecated).'),
  photonPersistentDisk: r('PhotonPersistentDiskVolumeSource', 'A Photon disk.'),
  portworxVolume: r('PortworxVolumeSource', 'A Portworx volume (deprecated).'),
  scaleIO: r('ScaleIOPersistentVolumeSource', 'A ScaleIO volume.'),
  local: r('LocalVolumeSource', 'A local disk, partition or directory; needs nodeAffinity.'),
  storageos: r('StorageOSPersistentVolumeSource', 'A StorageOS volume.'),
  csi: r('CSIPersistentVolumeSource', 'A CSI driver volume.'),
  accessModes: strs('ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.'),
  claimRef: r('ObjectReference', 'The claim bound to this volume.'),
  persistentVolumeReclaimPolicy: str('Retain (default for manual volumes), Delete or Recycle.'),
  storageClassName: str('StorageClass of the volume; empty means none.'),
  mountOptions: strs('Mount options.'),
  volumeMode: str('Filesystem (default) or Block.'),
  nodeAffinity: r('VolumeNodeAffinity', 'Nodes that can access the volume.'),
  volumeAttributesClassName: str('VolumeAttributesClass of the volume.'),
}, 'Desired state of a persistent volume.');
def('PersistentVolumeStatus', { phase: str('Pending, Available, Bound, Released or Failed.'), message: str('Details.'), reason: str('Short reason.'), lastPhaseTransitionTime: time('When the phase last changed.') }, 'Observed state of a persistent volume.');
kindSchema(C + 'PersistentVolume', v1('PersistentVolume'), 'A piece of storage provisioned for the cluster.', { spec: r('PersistentVolumeSpec', 'Desired state.'), status: r('PersistentVolumeStatus', 'Observed state.') });
def('PersistentVolumeClaimSpec', {
  accessModes: strs('Access modes the volume must support.'),
  selector: selectorRef('Labels the volume must have.'),
  resources: r('VolumeResourceRequirements', 'Minimum size (requests.storage).'),
  volumeName: str('Bind to this volume.'),
  storageClassName: str('StorageClass wanted; empty string means none.'),
  volumeMode: str('Filesystem (default) or Block.'),
  dataSource: r('TypedLocalObjectReference', 'Populate from a snapshot or another claim.'),
  dataSourceRef: r('TypedObjectReference', 'Populate from any populator object.'),
  volumeAttributesClassName: str('VolumeAttributesClass wanted.'),
}, 'Desired state of a claim.');
def('PersistentVolumeClaimCondition', { type: str('Condition type.'), status: str('True, False or Unknown.'), lastProbeTime: time('Last probe.'), lastTransitionTime: time('Last change.'), reason: str('Reason.'), message: str('Details.') }, 'One condition of a claim.', { required: ['type', 'status'] });
def('ModifyVolumeStatus', { targetVolumeAttributesClassName: str('Class being applied.'), status: str('Pending, InProgress or Infeasible.') }, 'Progress of a volume modification.', { required: ['status'] });
def('PersistentVolumeClaimStatus', {
  phase: str('Pending, Bound or Lost.'),
  accessModes: strs('Access modes of the bound volume.'),
  capacity: resources('Capacity of the bound volume.'),
  conditions: byType(r('PersistentVolumeClaimCondition'), 'Current conditions.'),
  allocatedResources: resources('Storage allocated to the claim.'),
  allocatedResourceStatuses: { ...stringMap('Resize progress per resource.'), 'x-kubernetes-map-type': 'granular' },
  currentVolumeAttributesClassName: str('Class currently applied.'),
  modifyVolumeStatus: r('ModifyVolumeStatus', 'Modification progress.'),
}, 'Observed state of a claim.');
kindSchema(C + 'PersistentVolumeClaim', v1('PersistentVolumeClaim'), 'A request for storage.', { spec: r('PersistentVolumeClaimSpec', 'Desired state.'), status: r('PersistentVolumeClaimStatus', 'Observed state.') });

// ---------- policy objects ----------
def('LimitRangeItem', {
  type: str('Container, Pod or PersistentVolumeClaim.'),
  max: resources('Maximum usage.'),
  min: resources('Minimum usage.'),
  default: resources('Default limits.'),
  defaultRequest: resources('Default requests.'),
  maxLimitRequestRatio: resources('Maximum limit/request ratio.'),
}, 'Constraints for one kind of object.', { required: ['type'] });
def('LimitRangeSpec', { limits: atomic(r('LimitRangeItem'), 'The constraints.') }, 'Resource constraints of a namespace.', { required: ['limits'] });
kindSchema(C + 'LimitRange', v1('LimitRange'), 'Per-object resource constraints and defaults in a namespace.', { spec: r('LimitRangeSpec', 'The constraints.') });
def('ScopedResourceSelectorRequirement', { scopeName: str('The scope.'), operator: str('In, NotIn, Exists or DoesNotExist.'), values: strs('Values.') }, 'A scope selector requirement.', { required: ['scopeName', 'operator'] });
def('ScopeSelector', { matchExpressions: atomic(r('ScopedResourceSelectorRequirement'), 'Requirements, ANDed.') }, 'Selects the objects a quota tracks.', { 'x-kubernetes-map-type': 'atomic' });
def('ResourceQuotaSpec', { hard: resources('Limits per resource.'), scopes: strs('Scopes the quota applies to.'), scopeSelector: r('ScopeSelector', 'Scope requirements.') }, 'Desired quota.');
def('ResourceQuotaStatus', { hard: resources('Enforced limits.'), used: resources('Current usage.') }, 'Enforced limits and usage.');
kindSchema(C + 'ResourceQuota', v1('ResourceQuota'), 'Aggregate resource limits of a namespace.', { spec: r('ResourceQuotaSpec', 'Desired quota.'), status: r('ResourceQuotaStatus', 'Usage.') });

// ---------- binding / component status ----------
kindSchema(C + 'Binding', v1('Binding'), 'Binds a pod to a node; created through pods/binding.', { target: r('ObjectReference', 'The node to bind to.') }, { required: ['target'] });
def('ComponentCondition', { type: str('Healthy.'), status: str('True, False or Unknown.'), message: str('Health message.'), error: str('Error, if any.') }, 'Health of a component.', { required: ['type', 'status'] });
kindSchema(C + 'ComponentStatus', v1('ComponentStatus'), 'Health of a control plane component (deprecated).', { conditions: byType(r('ComponentCondition'), 'Health conditions.') });

// list kinds for OpenAPI
for (const k of ['Pod', 'PodTemplate', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'ServiceAccount', 'Namespace', 'Node', 'Event', 'ReplicationController', 'PersistentVolume', 'PersistentVolumeClaim', 'LimitRange', 'ResourceQuota', 'ComponentStatus']) {
  kindSchema(C + k + 'List', v1(k + 'List'), `A list of ${k} objects.`, { metadata: listMeta(), items: arr(r(k), 'The items.') }, { required: ['items'] });
}

