import { Module } from '@nestjs/common';
import { DocsCatalog } from './docs.catalog';
import { DocsController } from './docs.controller';
import { ExplorerController } from './explorer.controller';
import { LandingController } from './landing.controller';
import { WebAssetsService } from './web-assets.service';
import { WebController } from './web.controller';

@Module({
  controllers: [LandingController, DocsController, WebController, ExplorerController],
  providers: [WebAssetsService, DocsCatalog],
  exports: [WebAssetsService],
})
export class WebModule {}
