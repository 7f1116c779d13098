import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { cameraScanPayload } from './scan-code';

/** Served by our API from node_modules: the library's default is a CDN, and pharmacies run closed networks. */
const WASM_BASE = '/scan/zxing/';
const INTERVAL_MS = 150;
/** A pack held in front of the camera is read many times a second: it is checked again only after leaving the frame this long. */
const OUT_OF_VIEW_MS = 1500;

export class CameraScanner {
  private stream?: MediaStream;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly canvas = document.createElement('canvas');
  private last?: { code: string; seenAt: number };

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly onCode: (code: string) => void,
    private readonly onStatus: (message: string) => void,
  ) {}

  get running(): boolean {
    return this.stream !== undefined;
  }

  async start(): Promise<void> {
    this.onStatus('Starting camera…');
    prepareZXingModule({
      overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? WASM_BASE + path : prefix + path) },
      fireImmediately: false,
    });
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
    this.video.srcObject = this.stream;
    await this.video.play();
    this.onStatus('Camera on: hold the pack’s DataMatrix in the frame.');
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = undefined;
    this.video.srcObject = null;
    this.onStatus('Camera off.');
  }

  private schedule() {
    this.timer = setTimeout(() => void this.tick(), INTERVAL_MS);
  }

  private async tick() {
    if (!this.stream) return;
    try {
      const code = await this.decodeFrame();
      if (code) {
        const fresh = code !== this.last?.code || Date.now() - this.last.seenAt > OUT_OF_VIEW_MS;
        this.last = { code, seenAt: Date.now() };
        if (fresh) this.onCode(code);
      }
    } catch (e) {
      this.onStatus(`Camera decoding failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (this.stream) this.schedule();
  }

  private async decodeFrame(): Promise<string | undefined> {
    const { videoWidth: width, videoHeight: height } = this.video;
    if (!width || !height) return undefined;
    this.canvas.width = width;
    this.canvas.height = height;
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) return undefined;
    ctx.drawImage(this.video, 0, 0, width, height);
    const [result] = await readBarcodes(ctx.getImageData(0, 0, width, height), {
      formats: ['DataMatrix', 'QRCode'],
      tryHarder: true,
      maxNumberOfSymbols: 1,
    });
    return result?.isValid ? cameraScanPayload(result.symbologyIdentifier, result.text) : undefined;
  }
}
