; Inno Setup 6 script for Training Workbench on Windows. NOT TESTED on this project's machines
; (Linux only): see packaging/README.md, "Windows", for the steps that come before it.
;
;   iscc /DAppVersion=0.1.0 packaging\windows\training-workbench.iss
;
; Packs the PyInstaller one-folder bundle (packaging\build\dist\training-workbench) into
; packaging\build\training-workbench-<version>-setup.exe: per-user install by default (no admin
; rights), Start menu entry, optional desktop icon, uninstaller.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=X.Y.Z ...
#endif

[Setup]
AppId={{6B7C1F2E-3D4A-4B8C-9E1F-0A2B3C4D5E6F}
AppName=Training Workbench
AppVersion={#AppVersion}
AppPublisher=Training Workbench developers
DefaultDirName={autopf}\Training Workbench
DefaultGroupName=Training Workbench
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\build
OutputBaseFilename=training-workbench-{#AppVersion}-setup
SetupIconFile=..\build\workbench.ico
UninstallDisplayIcon={app}\workbench.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\build\dist\training-workbench\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Training Workbench"; Filename: "{app}\workbench.exe"; Parameters: "gui"
Name: "{group}\{cm:UninstallProgram,Training Workbench}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Training Workbench"; Filename: "{app}\workbench.exe"; Parameters: "gui"; Tasks: desktopicon

[Run]
Filename: "{app}\workbench.exe"; Parameters: "gui"; Description: "{cm:LaunchProgram,Training Workbench}"; Flags: nowait postinstall skipifsilent
