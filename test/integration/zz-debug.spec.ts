import { INestApplication } from '@nestjs/common';
import { documentChunks, postCapture, sensorEvent, waitForJob } from '../../bench/capture-formats.bench';
import { createOrganization, testConfig, useDatabase, withCheckDigit } from '../support/platform';
import { startApi } from '../support/zz-scratch-api.tmp';
describe('dbg', () => {
  let app: INestApplication;
  afterAll(() => app?.close());
  const dbUrl = useDatabase();
  it('small chunked', async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    await app.listen(0, '127.0.0.1');
    const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const { apiKey } = await createOrganization(app, { name: 'Cold Chain', role: 'DISTRIBUTOR', gln: withCheckDigit('061414100003') });
    console.log('posting', baseUrl);
    const t0 = Date.now();
    const loc = await postCapture(baseUrl, apiKey, 'json', documentChunks('json', 300, (i) => sensorEvent(1, i, 10, 13_500)));
    console.log('posted', loc, Date.now() - t0);
    console.log(JSON.stringify(await waitForJob(baseUrl, apiKey, loc)), Date.now() - t0);
  }, 30000);
});
