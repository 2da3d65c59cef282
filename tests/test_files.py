"""Stage outputs appear whole or not at all."""
import stat

import pytest

from neural.files import staged_output_dir


def test_a_new_folder_appears_by_one_rename_readable_by_others(tmp_path):
    with staged_output_dir(tmp_path / "task") as stage:
        (stage / "a.png").write_bytes(b"a")
        staged_inode = stage.stat().st_ino
        assert not (tmp_path / "task").exists()  # nothing visible before the end
    assert (tmp_path / "task").stat().st_ino == staged_inode  # the staging folder, renamed
    assert stat.S_IMODE((tmp_path / "task").stat().st_mode) == 0o755
    assert [p.name for p in tmp_path.iterdir()] == ["task"]


def test_an_existing_folder_takes_the_files_and_a_failure_leaves_it_alone(tmp_path):
    (tmp_path / "task").mkdir()
    (tmp_path / "task" / "old.txt").write_text("kept")
    with staged_output_dir(tmp_path / "task") as stage:
        (stage / "new.txt").write_text("new")
    with pytest.raises(RuntimeError):
        with staged_output_dir(tmp_path / "task") as stage:
            (stage / "half.txt").write_text("half")
            raise RuntimeError("stage failed")
    assert sorted(p.name for p in (tmp_path / "task").iterdir()) == ["new.txt", "old.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["task"]
