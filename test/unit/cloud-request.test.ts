import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../functions/cloud/actions.js';
import { buildWireParams, flattenParams } from '../../functions/cloud/request.js';

describe('flattening (the SDKs\' OpenApiUtil.query)', () => {
  it('flattens lists of objects 1-based with dots', () => {
    expect(flattenParams({ Tag: [{ Key: 'gc', Value: 'true' }, { Key: 'team', Value: 'hpc' }] })).toEqual({
      'Tag.1.Key': 'gc',
      'Tag.1.Value': 'true',
      'Tag.2.Key': 'team',
      'Tag.2.Value': 'hpc',
    });
    expect(flattenParams({ ResourceId: ['m-1', 'm-2'] })).toEqual({ 'ResourceId.1': 'm-1', 'ResourceId.2': 'm-2' });
  });

  it('turns booleans and numbers into strings and drops null and undefined', () => {
    expect(flattenParams({ Force: true, PageSize: 100, PageNumber: 0, DryRun: false, Missing: undefined, Nothing: null, Empty: '' })).toEqual({
      Force: 'true',
      PageSize: '100',
      PageNumber: '0',
      DryRun: 'false',
      Empty: '',
    });
  });

  it('keeps the index of a dropped list element, as the SDK does', () => {
    expect(flattenParams({ g: ['1', null, '3'] })).toEqual({ 'g.1': '1', 'g.3': '3' });
  });

  it('flattens nested objects and writes dates in the API format', () => {
    expect(flattenParams({ Filter: { Key: 'CreationStartTime', At: new Date('2026-01-02T03:04:05.678Z') } })).toEqual({
      'Filter.Key': 'CreationStartTime',
      'Filter.At': '2026-01-02T03:04:05Z',
    });
  });
});

describe('placement by the action table', () => {
  it('puts everything of a query action in the query, RegionId included', () => {
    expect(buildWireParams(ACTIONS['ecs.DeleteImage'], 'cn-hangzhou', { ImageId: 'm-1', Force: false })).toEqual({
      query: { RegionId: 'cn-hangzhou', ImageId: 'm-1', Force: 'false' },
    });
  });

  it('always sends the call region as RegionId, whatever the params say', () => {
    expect(buildWireParams(ACTIONS['ecs.DescribeImages'], 'cn-beijing', { RegionId: 'cn-hangzhou' }).query['RegionId']).toBe('cn-beijing');
  });

  it('puts a form action\'s params in the body, except its query params', () => {
    const wire = buildWireParams(ACTIONS['appstream.ListImage'], 'cn-shanghai', {
      ImageType: 'User',
      PageSize: 100,
      Distro: 'Ubuntu',
      TagList: [{ Key: 'gc', Value: 'true' }],
    });
    expect(wire.query).toEqual({ RegionId: 'cn-shanghai', Distro: 'Ubuntu', 'TagList.1.Key': 'gc', 'TagList.1.Value': 'true' });
    expect(wire.body).toEqual({ ImageType: 'User', PageSize: '100' });
  });

  it('sends no body for a form action without body params', () => {
    expect(buildWireParams(ACTIONS['appstream.ListImage'], 'cn-shanghai', { Distro: 'Ubuntu' }).body).toBeUndefined();
    expect(buildWireParams(ACTIONS['appstream.DeleteImage'], 'cn-shanghai', { ImageId: 'imgc-1' })).toEqual({
      query: { RegionId: 'cn-shanghai' },
      body: { ImageId: 'imgc-1' },
    });
  });
});
