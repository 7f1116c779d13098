import { Module } from '@nestjs/common';
import { ExplorerController } from './explorer.controller';
import { LandingController } from './landing.controller';
import { WebAssetsService } from './web-assets.service';
import { WebController } from './web.controller';

@Module({ controllers: [LandingController, WebController, ExplorerController], providers: [WebAssetsService], exports: [WebAssetsService] })
export class WebModule {}
