# Replaces the per-architecture tags NAME-amd64 / NAME-arm64 of an OCI layout by one multi-arch
# image index tagged NAME (umoci builds single manifests only). Usage: make-index.py LAYOUT NAME…
import hashlib, json, os, sys

layout, names = sys.argv[1], sys.argv[2:]
index_path = os.path.join(layout, 'index.json')
top = json.load(open(index_path))
REF = 'org.opencontainers.image.ref.name'
for name in names:
    children = []
    for arch in ('amd64', 'arm64'):
        desc = next(m for m in top['manifests'] if m.get('annotations', {}).get(REF) == f'{name}-{arch}')
        manifest = json.load(open(os.path.join(layout, 'blobs', *desc['digest'].split(':'))))
        config = json.load(open(os.path.join(layout, 'blobs', *manifest['config']['digest'].split(':'))))
        platform = {'architecture': config['architecture'], 'os': config['os']}
        if config.get('variant'):
            platform['variant'] = config['variant']
        children.append({'mediaType': desc['mediaType'], 'digest': desc['digest'], 'size': desc['size'], 'platform': platform})
        top['manifests'].remove(desc)
    blob = json.dumps({'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.index.v1+json', 'manifests': children}, indent=2).encode()
    digest = hashlib.sha256(blob).hexdigest()
    with open(os.path.join(layout, 'blobs', 'sha256', digest), 'wb') as f:
        f.write(blob)
    top['manifests'].append({'mediaType': 'application/vnd.oci.image.index.v1+json', 'digest': f'sha256:{digest}', 'size': len(blob), 'annotations': {REF: name}})
with open(index_path, 'w') as f:
    json.dump(top, f, indent=2)
