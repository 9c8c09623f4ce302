// Every property test runs with a fixed fast-check seed unless FUZZ_SEED says otherwise, so a CI run is
// reproducible; failures print the seed and path to replay them.
import fc from 'fast-check';

fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED ?? 20261122) });
