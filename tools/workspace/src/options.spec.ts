import { describe, expect, it } from 'vitest';
import { UsageError } from '@musiccorp/core/cli';
import { CREATE_WORKSPACE, parseCreateWorkspaceArgs } from './options';

describe('create-workspace options', () => {
  it('reads the folder and every flag', () => {
    expect(
      parseCreateWorkspaceArgs(['royalties-ws', '--team=royalties', '--handle=@musiccorp/royalties', '--members=a,b']),
    ).toEqual({
      dir: 'royalties-ws',
      team: 'royalties',
      handle: '@musiccorp/royalties',
      members: 'a,b',
      install: true,
      git: true,
      help: false,
    });
  });

  it('--no-install and --no-git turn the steps off; nothing is required at parse time (prompts fill it in)', () => {
    expect(parseCreateWorkspaceArgs(['--no-install', '--no-git'])).toMatchObject({
      dir: undefined,
      team: undefined,
      install: false,
      git: false,
    });
  });

  it.each([
    [['ws', '--tema=royalties'], /Unknown option '--tema'/],
    [['one', 'two', '--team=royalties'], /Expected one target folder, got 2: one two/],
    [['ws', '--team'], /--team/],
  ])('refuses %j with the usage line', (argv, message) => {
    const parse = () => parseCreateWorkspaceArgs(argv);
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
    expect(parse).toThrow(/npm run create-workspace -- <dir> --team=<id>/);
  });

  it('--help explains every option', () => {
    expect(parseCreateWorkspaceArgs(['--help']).help).toBe(true);
    for (const option of ['<dir>', '--team=', '--handle=', '--members=', '--no-install', '--no-git', '--help'])
      expect(CREATE_WORKSPACE.help).toContain(option);
  });
});
