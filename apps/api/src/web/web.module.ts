import { Module } from '@nestjs/common';
import { WebAssetsService } from './web-assets.service';
import { WebController } from './web.controller';

@Module({ controllers: [WebController], providers: [WebAssetsService] })
export class WebModule {}
