import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CitizenAllowed } from '../auth/auth.decorators';
import { UnitDirectory } from './unit-directory.service';

@ApiTags('organisation')
@ApiBearerAuth()
@Controller('api/units')
export class UnitsController {
  constructor(private readonly units: UnitDirectory) {}

  @Get()
  @CitizenAllowed()
  @ApiOperation({ summary: 'All units (public directory data: no patient data)' })
  async list() {
    return this.units.list();
  }
}
