// Shared by the reliability workers: opens the store a worker was told to use, wrapped so that
// lost manifest races (put-if-absent under _versions/ refused) are counted as retries.
export async function openStore(lib, spec) {
  const io = await import(`${lib}/io/index.js`);
  let inner;
  if (spec.kind === 'local') inner = new io.LocalStore(spec.root);
  else if (spec.kind === 's3') {
    const { S3Store } = await import(`${lib}/io/s3-store.js`);
    inner = new S3Store(spec.options);
  } else throw new Error(`unknown store kind ${spec.kind}`);
  const stats = { retries: 0 };
  const store = new Proxy(inner, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (prop === 'putIfAbsent') {
        return async (path, data) => {
          try {
            return await v.call(target, path, data);
          } catch (e) {
            if (path.includes('_versions/') && e?.code === 'ALREADY_EXISTS') stats.retries++;
            throw e;
          }
        };
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store, stats };
}
