# Builds the demo's recorded cluster (DERIVED) from real Kubernetes objects in k8s/source/:
# the k9s nginx Pod and ReplicaSet become the `shop/shop-api` Deployment's pods, the sonobuoy kind
# NodeList supplies the nodes (kind-worker2 relabelled arm64), and the image references and
# imageIDs point at the demo OCI layout's digests (registry.demo.local/shop/api). Two snapshots:
#   cluster-v1.json  shop-api 1.0 on three nodes (one arm64), a toolbox pod by config digest
#   cluster-v2.json  after the rollout: shop-api 1.1 pods replace the 1.0 ones
# Usage: python3 make-cluster.py ../oci  (writes cluster-v1.json, cluster-v2.json here)
import copy, json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
layout = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', 'oci'))
src = lambda n: json.load(open(os.path.join(here, 'source', n)))
index = json.load(open(os.path.join(layout, 'index.json')))
ref = lambda name: next(m['digest'] for m in index['manifests'] if m['annotations']['org.opencontainers.image.ref.name'] == name)
def config_of(name):
    m = json.load(open(os.path.join(layout, 'blobs', *ref(name).split(':'))))
    return m['config']['digest']

nodes = src('core_v1_nodes.json')['items']
for n in nodes:
    if n['metadata']['name'] == 'kind-worker2':
        for k in ('beta.kubernetes.io/arch', 'kubernetes.io/arch'):
            n['metadata']['labels'][k] = 'arm64'
        n['status']['nodeInfo']['architecture'] = 'arm64'


rs_template = src('replicaset.json')
pod_template = src('pod-nginx-replicaset.json')
LABELS = {'app': 'shop-api', 'team': 'payments', 'environment': 'prod'}

def replicaset(hash_):
    rs = copy.deepcopy(rs_template)
    rs['metadata'].update(name=f'shop-api-{hash_}', namespace='shop', uid=f'rs-{hash_}', labels=dict(LABELS, **{'pod-template-hash': hash_}))
    rs['metadata']['ownerReferences'][0].update(name='shop-api', uid='deploy-shop-api')
    return rs

def pod(name, owner_kind, owner, node, image, image_id, started, labels):
    p = copy.deepcopy(pod_template)
    md = p['metadata']
    md.update(name=name, namespace='shop', uid=f'pod-{name}', labels=labels)
    md.pop('generateName', None)
    if owner:
        md['ownerReferences'][0].update(kind=owner_kind, name=owner, uid=f'rs-{owner.rsplit("-", 1)[-1]}')
    else:
        md.pop('ownerReferences', None)
    p['spec']['nodeName'] = node
    c = p['spec']['containers'][0]
    c['name'] = 'api' if owner else 'toolbox'
    c['image'] = image
    st = p['status']['containerStatuses'][0]
    st.update(name=c['name'], image=image, imageID=image_id, containerID=f'containerd://{name}')
    st['state'] = {'running': {'startedAt': started}}
    p['status']['startTime'] = started
    return p

def api_pods(version, hash_, started, suffixes):
    digest = ref(f'shop-api-{version}')
    nodes_ = ['kind-worker', 'kind-worker2', 'kind-control-plane']
    return [pod(f'shop-api-{hash_}-{s}', 'ReplicaSet', f'shop-api-{hash_}', nodes_[i],
                f'registry.demo.local/shop/api:{version}',
                f'docker-pullable://registry.demo.local/shop/api@{digest}', started,
                dict(LABELS, **{'pod-template-hash': hash_}))
            for i, s in enumerate(suffixes)]

toolbox = pod('toolbox', None, None, 'kind-worker', 'registry.demo.local/library/alpine:3.18',
              f'docker://{config_of("alpine-base-3.18")}', '2026-11-20T09:00:00Z',
              {'app': 'toolbox', 'team': 'platform', 'environment': 'prod'})

v1 = {'nodes': nodes, 'replicaSets': [replicaset('7fb78fb6d8')],
      'pods': api_pods('1.0', '7fb78fb6d8', '2026-11-20T10:00:00Z', ['2w75j', 'x9k2p', 'q7r4m']) + [toolbox]}
v2 = {'nodes': nodes, 'replicaSets': [replicaset('7fb78fb6d8'), replicaset('5c9d8f7b64')],
      'pods': api_pods('1.1', '5c9d8f7b64', '2026-11-25T10:00:00Z', ['h4zqn', 'm2v8c', 'r6t1w']) + [toolbox]}
for name, doc in (('cluster-v1.json', v1), ('cluster-v2.json', v2)):
    with open(os.path.join(here, name), 'w') as f:
        json.dump(doc, f, indent=1)
