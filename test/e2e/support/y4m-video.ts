import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/**
 * Writes a still picture as a YUV4MPEG2 (4:2:0) video, the format Chromium plays as a fake camera with
 * --use-file-for-fake-video-capture; the PNG is centred on a white frame of the given size.
 */
export function writeY4mFromPng(pngBytes: Buffer, file: string, width = 640, height = 480, frames = 5): void {
  const png = PNG.sync.read(pngBytes);
  if (png.width > width || png.height > height)
    throw new Error(`picture ${png.width}x${png.height} does not fit a ${width}x${height} frame`);
  const left = Math.floor((width - png.width) / 2);
  const top = Math.floor((height - png.height) / 2);
  const luma = Buffer.alloc(width * height, 255);
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const alpha = png.data[i + 3] / 255;
      // BT.601 luma over white; the picture is black and white, so chroma stays neutral.
      const value = 0.299 * png.data[i] + 0.587 * png.data[i + 1] + 0.114 * png.data[i + 2];
      luma[(top + y) * width + left + x] = Math.round(value * alpha + 255 * (1 - alpha));
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
