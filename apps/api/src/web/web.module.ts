import { Module } from '@nestjs/common';
import { ExplorerController } from './explorer.controller';
import { WebAssetsService } from './web-assets.service';
import { WebController } from './web.controller';

@Module({ controllers: [WebController, ExplorerController], providers: [WebAssetsService] })
export class WebModule {}
